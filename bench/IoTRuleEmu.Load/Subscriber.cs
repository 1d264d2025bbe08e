using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTRuleEmu.Load;

/// <summary>
/// <c>sub</c>: one counting subscriber (the baseline's consumer). Counts distinct sequence numbers, records the latency
/// from each payload's send time to its arrival, and stops when every expected message arrived, when nothing arrived for
/// <c>--idle-timeout</c> seconds after the first message, or after <c>--timeout</c> seconds.
/// </summary>
internal static class Subscriber
{
    public static async Task<int> RunAsync(ArgList args)
    {
        var host = args.String("host", "127.0.0.1");
        var port = args.Int("port", 1883, 1, 65535);
        var filter = args.String("filter", "bench/#");
        var qos = (MqttQualityOfServiceLevel)args.Int("qos", 1, 0, 1);
        var (expect, timeout, idleTimeout, label, pid, readyFile, outPath) = ConsumerOptions.Parse(args);
        var protocol = args.String("protocol", "311") == "500" ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
        var warmup = args.Double("warmup", 2, 0, 3600);

        var counter = new DeliveryCounter(expect);
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var now = Payload.NowUs();
            if (Payload.TryRead(e.ApplicationMessage.Payload, out var seq, out var sentUs))
            {
                counter.Record(seq, sentUs, now);
            }
            else
            {
                counter.RecordUnparsed(now);
            }
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId($"{label}-sub")
            .WithProtocolVersion(protocol)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .Build();
        using (var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await client.ConnectAsync(options, connectTimeout.Token).ConfigureAwait(false);
            await client.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter(filter, qos).Build(), connectTimeout.Token)
                .ConfigureAwait(false);
        }

        var (watch, loadAverage) = await Consumer.StartAsync(pid, readyFile).ConfigureAwait(false);
        var outcome = await counter.WaitAsync(watch, timeout, idleTimeout).ConfigureAwait(false);
        watch.Stop();

        try
        {
            using var disconnectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.DisconnectAsync(new MqttClientDisconnectOptions(), disconnectTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"[sub {label}] disconnect: {ex.Message}");
        }

        using (var w = ResultWriter.Open(outPath))
        {
            w.String("kind", "sub");
            w.String("label", label);
            w.String("target", $"{host}:{port}");
            w.String("filter", filter);
            w.Number("qos", (int)qos);
            w.String("loadAverageAtStart", loadAverage);
            w.String("stopReason", outcome);
            counter.Write(w, watch, "delivery", warmup);
        }
        Console.Error.WriteLine($"[sub {label}] {counter.Summary()} ({outcome})");
        return 0;
    }
}

/// <summary>Distinct sequence numbers seen, duplicates, and latency from send time to the time seen. Thread-safe.</summary>
internal sealed class DeliveryCounter
{
    private readonly long _expect;
    private readonly byte[] _seen;
    private readonly Lock _lock = new();
    private readonly LatencyStats _latency;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _distinct;
    private long _duplicates;
    private long _unexpected;
    private long _minSentUs = long.MaxValue;
    private long _lastSeenUs;
    private long _firstSeenUs;
    private long _lastActivityTimestamp;

    public DeliveryCounter(long expect)
    {
        _expect = expect;
        _seen = new byte[expect];
        _latency = new LatencyStats((int)Math.Min(expect, 10_000_000));
    }

    public long Distinct => Interlocked.Read(ref _distinct);

    public void Record(long seq, long sentUs, long seenUs)
    {
        lock (_lock)
        {
            _lastActivityTimestamp = Stopwatch.GetTimestamp();
            if (seq < 0 || seq >= _expect)
            {
                _unexpected++;
                return;
            }
            if (_seen[seq] != 0)
            {
                _duplicates++;
                return;
            }
            _seen[seq] = 1;
            _distinct++;
            _latency.Add(seenUs - sentUs, sentUs);
            _minSentUs = Math.Min(_minSentUs, sentUs);
            _lastSeenUs = Math.Max(_lastSeenUs, seenUs);
            if (_firstSeenUs == 0)
            {
                _firstSeenUs = seenUs;
            }
            if (_distinct == _expect)
            {
                _all.TrySetResult();
            }
        }
    }

    public void RecordUnparsed(long seenUs)
    {
        lock (_lock)
        {
            _lastActivityTimestamp = Stopwatch.GetTimestamp();
            _unexpected++;
        }
    }

    /// <summary>Waits (polling every 100 ms, sampling the watched process) until all arrived, idle, or timeout.</summary>
    public async Task<string> WaitAsync(ProcessWatch watch, TimeSpan timeout, TimeSpan idleTimeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (await Task.WhenAny(_all.Task, Task.Delay(100)).ConfigureAwait(false) == _all.Task)
            {
                return "all-received";
            }
            watch.Sample();
            long last;
            lock (_lock)
            {
                last = _lastActivityTimestamp;
            }
            if (last != 0 && Stopwatch.GetElapsedTime(last) > idleTimeout)
            {
                return "idle-timeout";
            }
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                return "timeout";
            }
        }
    }

    public void Write(ResultWriter w, ProcessWatch watch, string latencyPrefix, double warmupSeconds)
    {
        lock (_lock)
        {
            var seconds = _distinct > 0 ? (_lastSeenUs - _minSentUs) / 1e6 : 0;
            w.Number("expected", _expect);
            w.Number("received", _distinct);
            w.Number("lost", _expect - _distinct);
            w.Number("duplicates", _duplicates);
            w.Number("unexpected", _unexpected);
            w.Number("firstSentUs", _distinct > 0 ? _minSentUs : 0);
            w.Number("lastSeenUs", _lastSeenUs);
            w.Number("seconds", seconds);
            w.Number("throughput", seconds > 0 ? _distinct / seconds : 0);
            _latency.Write(w, latencyPrefix, warmupSeconds);
            watch.Write(w, seconds);
        }
    }

    public string Summary()
    {
        lock (_lock)
        {
            var seconds = _distinct > 0 ? (_lastSeenUs - _minSentUs) / 1e6 : 0;
            return $"{_distinct}/{_expect} distinct, {_duplicates} duplicates, {_unexpected} unexpected, " +
                $"{(seconds > 0 ? _distinct / seconds : 0):F0} msg/s over {seconds:F2} s";
        }
    }
}
