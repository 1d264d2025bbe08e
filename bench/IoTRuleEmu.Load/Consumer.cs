using System.Diagnostics;

namespace IoTRuleEmu.Load;

/// <summary>What the consumers (<c>sub</c>, <c>tail</c>, <c>ingest</c>) share: how a measurement starts and how the counting ones wait.</summary>
internal static class Consumer
{
    /// <summary>
    /// Starts sampling the server process (<paramref name="pid"/>, if any), reads the load average, then writes
    /// <paramref name="readyFile"/> so that run.sh starts the publisher only now.
    /// </summary>
    public static async Task<(ProcessWatch Watch, string LoadAverage)> StartAsync(int? pid, string? readyFile)
    {
        var watch = new ProcessWatch(pid);
        watch.Start();
        var loadAverage = ProcessSampler.LoadAverage();
        if (readyFile is not null)
        {
            await File.WriteAllTextAsync(readyFile, "ready\n").ConfigureAwait(false);
        }
        return (watch, loadAverage);
    }

    /// <summary>
    /// Polls a count that grows while the load runs until it reaches <paramref name="expect"/>, stops growing for
    /// <paramref name="idleTimeout"/> (after it once grew), or <paramref name="timeout"/> passes; samples the watched
    /// process between polls.
    /// </summary>
    /// <param name="poll">The count so far (since the consumer started).</param>
    /// <returns>Why it stopped, when it saw the last expected one (µs, 0 unless all arrived), and the last count.</returns>
    public static async Task<(string Outcome, long ObservedAllUs, long Count)> WaitForCountAsync(
        Func<ValueTask<long>> poll, long expect, TimeSpan interval, TimeSpan timeout, TimeSpan idleTimeout, ProcessWatch watch)
    {
        var started = Stopwatch.GetTimestamp();
        long lastChange = 0;
        long count = 0;
        while (true)
        {
            await Task.Delay(interval).ConfigureAwait(false);
            var now = await poll().ConfigureAwait(false);
            if (now != count)
            {
                count = now;
                lastChange = Stopwatch.GetTimestamp();
            }
            if (count >= expect)
            {
                return ("all-received", Payload.NowUs(), count);
            }
            if (lastChange != 0 && Stopwatch.GetElapsedTime(lastChange) > idleTimeout)
            {
                return ("idle-timeout", 0, count);
            }
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                return ("timeout", 0, count);
            }
            watch.Sample();
        }
    }
}

/// <summary>The options every consumer takes: <c>--expect --timeout --idle-timeout --label --pid --ready-file --out</c>.</summary>
internal sealed record ConsumerOptions(long Expect, TimeSpan Timeout, TimeSpan IdleTimeout, string Label, int? Pid, string? ReadyFile, string? OutPath)
{
    public static ConsumerOptions Parse(ArgList args) => new(
        args.Long("expect", 100_000, 1, 100_000_000),
        TimeSpan.FromSeconds(args.Double("timeout", 120, 1, 3600)),
        TimeSpan.FromSeconds(args.Double("idle-timeout", 10, 0.1, 3600)),
        args.String("label", "load"),
        args.OptionalString("pid") is null ? null : args.Int("pid", 0, 1),
        args.OptionalString("ready-file"),
        args.OptionalString("out"));
}
