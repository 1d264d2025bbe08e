using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Options;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRuleEmu.Hosting;

/// <summary>What the start-up warm-up did: how many messages reached an InvokeExecution, in how long, or why it stopped.</summary>
public sealed record WarmUpResult(int Messages, TimeSpan Elapsed, string? Error);

/// <summary>
/// Before the emulator starts, sends telemetry through a private emulator built the same way (its own temporary rules,
/// function and data folder, loopback ports chosen by the system, logs written nowhere) from an MQTT connection to the
/// InvokeExecution record, and throws it away. The .NET JIT compiles the broker, rules engine, Lambda and log paths
/// while nobody waits: without it the first second of load after start waited up to ~130 ms for them
/// (docs/performance.md). Outside the process it shows only as a temporary folder and two loopback ports, both gone
/// before the emulator starts.
/// </summary>
public static class StartupWarmUp
{
    /// <summary>
    /// The rounds of messages, each at QoS 0 then at QoS 1 on a connection of its own, with <see cref="QuietPeriod"/>
    /// between them. The runtime counts calls to a method (and promotes it to optimised code after 30) only once no new
    /// method has been compiled for a while (20 ms here, IoTRuleEmu.csproj): the first round compiles the paths, the
    /// second makes them hot. In one round of 1,800 most of the message path was still promoted under the load that
    /// followed (~1,500 methods), and its first second missed the 5 ms p99 (docs/performance.md).
    /// </summary>
    public static readonly IReadOnlyList<(int Qos0, int Qos1)> Rounds = [(100, 200), (200, 1300)];

    /// <summary>Messages in all rounds.</summary>
    public static int Messages => Rounds.Sum(r => r.Qos0 + r.Qos1);

    /// <summary>The pause between rounds: longer than the runtime's call-counting delay.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(50);

    /// <summary>How long the warm-up may take before the emulator starts without it (it takes ~0.5 s on 2 cores).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The private emulator's folder name starts with this.</summary>
    public const string ScratchPrefix = "iotruleemu-warm-up-";

    private const string FunctionName = "warm_up";
    private const string Topic = "warm-up/device";

    /// <summary>
    /// Runs the warm-up; never throws: a failure or a timeout is the result's <see cref="WarmUpResult.Error"/>. The private
    /// emulator's folder is a new one under <paramref name="scratchParent"/> (default: the system's temporary folder).
    /// </summary>
    public static async Task<WarmUpResult> RunAsync(EmulatorOptions options, TimeSpan timeout, CancellationToken cancellationToken = default,
        string? scratchParent = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        DirectoryInfo? root = null;
        var delivered = 0;
        try
        {
            root = scratchParent is null
                ? Directory.CreateTempSubdirectory(ScratchPrefix)
                : Directory.CreateDirectory(Path.Combine(scratchParent, ScratchPrefix + Guid.NewGuid().ToString("N")));
            var app = EmulatorApp.Build(PrivateOptions(options, root.FullName), new HostCustomization
            {
                LogOutput = Stream.Null,
                LoopbackOnly = true,
                ShutdownTimeout = TimeSpan.FromSeconds(5),
            });
            await using (app.ConfigureAwait(false))
            {
                var target = 0;
                TaskCompletionSource? targetReached = null;
                var cloudTrail = app.Services.GetRequiredService<ICloudTrailLog>();
                cloudTrail.Appended += record =>
                {
                    if (record.EventName == CloudTrailRecord.InvokeExecutionEventName
                        && Interlocked.Increment(ref delivered) >= Volatile.Read(ref target))
                    {
                        Volatile.Read(ref targetReached)?.TrySetResult();
                    }
                };
                await app.StartAsync(linked.Token).ConfigureAwait(false);
                await app.Services.GetRequiredService<EmulatorReadiness>().WhenReady.WaitAsync(linked.Token).ConfigureAwait(false);
                var port = app.Services.GetRequiredService<BoundEndpoints>().MqttPort;
                for (var i = 0; i < Rounds.Count; i++)
                {
                    if (i > 0)
                    {
                        await Task.Delay(QuietPeriod, time, linked.Token).ConfigureAwait(false);
                    }
                    var (qos0, qos1) = Rounds[i];
                    var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref targetReached, reached);
                    Volatile.Write(ref target, target + qos0 + qos1);
                    await WarmUpPublisher.PublishAsync(port, Topic, qos0, qos1, linked.Token).ConfigureAwait(false);
                    await reached.Task.WaitAsync(linked.Token).ConfigureAwait(false);
                }
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return new WarmUpResult(delivered, time.GetElapsedTime(started), null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var reason = ex is OperationCanceledException && timeoutSource.IsCancellationRequested
                ? $"not finished after {timeout.TotalSeconds:0.###} s"
                : ex.Message;
            return new WarmUpResult(Volatile.Read(ref delivered), time.GetElapsedTime(started), reason);
        }
        finally
        {
            if (root is not null)
            {
                DeleteScratch(root);
            }
        }
    }

    private static void DeleteScratch(DirectoryInfo root)
    {
        // A private emulator stopped half-way may still close or create a file while the folder goes ("directory not
        // empty"): another pass deletes what appeared. A folder left behind is harmless; the emulator starts regardless.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                root.Delete(recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>The private emulator's options: the user's log and Lambda settings, everything else its own.</summary>
    private static EmulatorOptions PrivateOptions(EmulatorOptions options, string root)
    {
        var rules = Directory.CreateDirectory(Path.Combine(root, "rules")).FullName;
        var functions = Path.Combine(root, "functions.json");
        File.WriteAllText(Path.Combine(rules, "warm_up.json"),
            $$$"""{"sql":"SELECT * FROM '{{{Topic}}}'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:{{{options.Region}}}:{{{options.AccountId}}}:function:{{{FunctionName}}}"}}]}""");
        File.WriteAllText(functions, $$"""{"functions":[{"name":"{{FunctionName}}","behavior":"succeed"}]}""");
        return options with
        {
            MqttPort = 0,
            HttpPort = 0,
            RulesDirectory = rules,
            FunctionsFile = functions,
            DataDirectory = Path.Combine(root, "data"),
            CloudFormation = null,
            Clock = ClockMode.Real,
        };
    }
}
