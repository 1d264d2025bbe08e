using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTRuleEmu.Load;

/// <summary>
/// <c>pub</c>: publishes N messages over K connections. Each connection owns a contiguous range of sequence numbers and
/// keeps up to <c>--window</c> publishes in flight (QoS 1: awaiting their PUBACK). With <c>--rate</c> the messages of a
/// connection are paced to a schedule (sent in small bursts once their due time has come, never more than 1 ms early).
/// </summary>
internal static class Publisher
{
    public static async Task<int> RunAsync(ArgList args)
    {
        var host = args.String("host", "127.0.0.1");
        var port = args.Int("port", 1883, 1, 65535);
        var count = args.Long("count", 100_000, 1, 100_000_000);
        var connections = args.Int("connections", 4, 1, 256);
        var qos = (MqttQualityOfServiceLevel)args.Int("qos", 1, 0, 1);
        var rate = args.Double("rate", 0, 0, 10_000_000);
        var window = args.Int("window", 32, 1, 1000);
        var topics = args.Int("topics", 1, 1, 1_000_000);
        var prefix = args.String("prefix", "bench");
        var protocol = args.String("protocol", "311") == "500" ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
        var timeout = TimeSpan.FromSeconds(args.Double("timeout", 120, 1, 3600));
        var label = args.String("label", "load");
        var outPath = args.OptionalString("out");

        using var cts = new CancellationTokenSource(timeout);
        var factory = new MqttClientFactory();
        var clients = new IMqttClient[connections];
        try
        {
            for (var k = 0; k < connections; k++)
            {
                clients[k] = factory.CreateMqttClient();
                var options = new MqttClientOptionsBuilder()
                    .WithTcpServer(host, port)
                    .WithClientId($"{label}-pub-{k}")
                    .WithProtocolVersion(protocol)
                    .WithCleanSession(true)
                    .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
                    .WithTimeout(TimeSpan.FromSeconds(30))
                    .Build();
                await clients[k].ConnectAsync(options, cts.Token).ConfigureAwait(false);
            }

            var runs = new ConnectionRun[connections];
            long first = 0;
            for (var k = 0; k < connections; k++)
            {
                var share = count / connections + (k < count % connections ? 1 : 0);
                var topicNames = new string[topics];
                for (var t = 0; t < topics; t++)
                {
                    topicNames[t] = $"{prefix}/{t}/d{k}";
                }
                runs[k] = new ConnectionRun(clients[k], k, first, share, qos, topicNames, rate > 0 ? rate / connections : 0);
                first += share;
            }

            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var startUs = Payload.NowUs();
            var started = Stopwatch.GetTimestamp();
            var tasks = new List<Task>();
            foreach (var run in runs)
            {
                for (var i = 0; i < window; i++)
                {
                    tasks.Add(Task.Run(() => run.LoopAsync(started, cts.Token)));
                }
            }
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // timed out: reported below as unsent messages
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            var endUs = Payload.NowUs();
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

            var sent = runs.Sum(r => r.Sent);
            var failed = runs.Sum(r => r.Failed);
            var acks = new LatencyStats((int)Math.Min(count, 10_000_000));
            foreach (var run in runs)
            {
                run.CopyAckLatencies(acks);
            }
            using (var w = ResultWriter.Open(outPath))
            {
                w.String("kind", "pub");
                w.String("label", label);
                w.String("target", $"{host}:{port}");
                w.Number("qos", (int)qos);
                w.Number("connections", connections);
                w.Number("window", window);
                w.Number("topics", topics);
                w.Number("requested", count);
                w.Number("requestedRate", rate);
                w.Number("sent", sent);
                w.Number("failed", failed);
                w.Bool("timedOut", cts.IsCancellationRequested);
                w.Number("startUs", startUs);
                w.Number("endUs", endUs);
                w.Number("seconds", elapsed.TotalSeconds);
                w.Number("publishRate", sent / elapsed.TotalSeconds);
                w.Number("publisherCpuSeconds", cpu);
                w.Number("payloadBytes", Payload.Create(0, count, startUs).Length);
                acks.Write(w, qos == MqttQualityOfServiceLevel.AtLeastOnce ? "puback" : "send");
            }
            Console.Error.WriteLine($"[pub {label}] sent {sent}/{count} (failed {failed}) in {elapsed.TotalSeconds:F2} s = {sent / elapsed.TotalSeconds:F0} msg/s, publisher CPU {cpu:F1} s");
            return failed == 0 && sent == count ? 0 : 1;
        }
        finally
        {
            foreach (var client in clients)
            {
                if (client is null)
                {
                    continue;
                }
                try
                {
                    if (client.IsConnected)
                    {
                        using var disconnectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        await client.DisconnectAsync(new MqttClientDisconnectOptions(), disconnectTimeout.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Console.Error.WriteLine($"[pub {label}] disconnect: {ex.Message}");
                }
                client.Dispose();
            }
        }
    }

    /// <summary>One connection's share: sequence numbers [first, first + count), sent by several loops (the window).</summary>
    private sealed class ConnectionRun(IMqttClient client, int connection, long first, long count, MqttQualityOfServiceLevel qos, string[] topics, double rate)
    {
        private readonly Lock _lock = new();
        private readonly LatencyStats _acks = new((int)Math.Min(count, 10_000_000));
        private long _next;
        private long _sent;
        private long _failed;

        public long Sent => Interlocked.Read(ref _sent);

        public long Failed => Interlocked.Read(ref _failed);

        public void CopyAckLatencies(LatencyStats into)
        {
            lock (_lock)
            {
                _acks.CopyTo(into);
            }
        }

        public async Task LoopAsync(long startedTimestamp, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref _next) - 1;
                if (index >= count)
                {
                    return;
                }
                if (rate > 0)
                {
                    // Due time of this message; wait only while it is more than 1 ms away (Task.Delay has ~1 ms granularity).
                    var dueSeconds = index / rate;
                    var ahead = dueSeconds - Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds;
                    if (ahead > 0.001)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(ahead), cancellationToken).ConfigureAwait(false);
                    }
                }
                var seq = first + index;
                var message = new MqttApplicationMessage
                {
                    Topic = topics[seq % topics.Length],
                    PayloadSegment = Payload.Create(connection, seq, Payload.NowUs()),
                    QualityOfServiceLevel = qos,
                };
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                    if (result.IsSuccess)
                    {
                        Interlocked.Increment(ref _sent);
                    }
                    else
                    {
                        Interlocked.Increment(ref _failed);
                    }
                }
                catch (OperationCanceledException)
                {
                    throw;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    if (Interlocked.Increment(ref _failed) <= 3)
                    {
                        Console.Error.WriteLine($"[pub] connection {connection} seq {seq}: {ex.GetType().Name}: {ex.Message}");
                    }
                    if (!client.IsConnected)
                    {
                        return;
                    }
                }
                var micros = (long)Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                lock (_lock)
                {
                    _acks.Add(micros);
                }
            }
        }
    }
}
