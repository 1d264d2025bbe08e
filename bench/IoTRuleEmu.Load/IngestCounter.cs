using System.Diagnostics;
using System.Text.Json;

namespace IoTRuleEmu.Load;

/// <summary>
/// <c>ingest</c>: the consumer of the ingest-floor runs. It polls the emulator's <c>GET /_emulator/stats</c> until the broker
/// has handed the expected number of messages to the rules engine (<c>mqtt.messagesAccepted</c>), so an emulator with no
/// rules, whose logs and files stay empty, can still be timed: publish → accepted is what MQTTnet and the hand-off to the
/// engine cost before any rule runs. The throughput is counted from the publisher's first send (its <c>startUs</c>, which
/// the report takes from the publisher's result) to the poll that saw the last message.
/// </summary>
internal static class IngestCounter
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(ArgList args)
    {
        var host = args.String("host", "127.0.0.1");
        var httpPort = args.Int("http-port", 8080, 1, 65535);
        var (expect, timeout, idleTimeout, label, pid, readyFile, outPath) = ConsumerOptions.Parse(args);

        using var http = new HttpClient { BaseAddress = new Uri($"http://{host}:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };
        var baseline = await AcceptedAsync(http).ConfigureAwait(false)
            ?? throw new ArgumentException($"no /_emulator/stats at {http.BaseAddress}");
        var (watch, loadAverage) = await Consumer.StartAsync(pid, readyFile).ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        var last = 0L;
        var (outcome, observedAllUs, accepted) = await Consumer.WaitForCountAsync(async () =>
            {
                // A failed request keeps the last count (the emulator is busy, not gone: its pid is watched).
                last = await AcceptedAsync(http).ConfigureAwait(false) is { } total ? total - baseline : last;
                return last;
            }, expect, s_poll, timeout, idleTimeout, watch).ConfigureAwait(false);
        watch.Stop();

        using (var w = ResultWriter.Open(outPath))
        {
            w.String("kind", "ingest");
            w.String("label", label);
            w.String("target", http.BaseAddress.ToString());
            w.String("loadAverageAtStart", loadAverage);
            w.String("stopReason", outcome);
            w.Number("expected", expect);
            w.Number("received", Math.Min(accepted, expect));
            w.Number("lost", Math.Max(0, expect - accepted));
            w.Number("observedAllUs", observedAllUs);
            watch.Write(w, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        Console.Error.WriteLine($"[ingest {label}] {accepted} of {expect} messages accepted ({outcome})");
        return 0;
    }

    /// <summary><c>mqtt.messagesAccepted</c> of the emulator's stats, or null when the request failed.</summary>
    private static async Task<long?> AcceptedAsync(HttpClient http)
    {
        try
        {
            using var stats = JsonDocument.Parse(await http.GetStringAsync("/_emulator/stats").ConfigureAwait(false));
            return stats.RootElement.GetProperty("mqtt").GetProperty("messagesAccepted").GetInt64();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
