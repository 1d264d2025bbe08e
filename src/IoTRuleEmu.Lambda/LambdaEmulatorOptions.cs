using System.Globalization;

namespace IoTRuleEmu.Lambda;

/// <summary>Static settings of the Lambda emulation. Region, account and data folder come from <c>RuleEngineOptions</c>.</summary>
public sealed class LambdaEmulatorOptions
{
    /// <summary>The functions file (CONTRACT.md) loaded at start. Null: none is loaded (no functions). Defaults to null; the host sets <c>--functions</c>.</summary>
    public string? FunctionsFile { get; set; }

    /// <summary>
    /// Delays before the 2nd and before the 3rd attempt of a failed async invocation (<c>--lambda-retry-delays</c>).
    /// Defaults to 60 s and 120 s. When there are fewer delays than retries, the last one repeats.
    /// </summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; set; } = [TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120)];

    /// <summary>Retries after a function error (AWS default and maximum: 2). Per-function EventInvokeConfig will override it.</summary>
    public int MaximumRetryAttempts { get; set; } = 2;

    /// <summary>Largest async (Event) payload accepted, in bytes. Defaults to 1 MiB (AWS since 2025-10).</summary>
    public int MaxEventPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Accepted async events that may wait for their first attempt before Invoke itself waits for room (back-pressure
    /// through the rules engine to the MQTT publishers; nothing is dropped). AWS has no such bound; it keeps the
    /// emulator's memory and latency bounded when messages arrive faster than attempts run. Defaults to 10,000;
    /// 0 = no bound. Retries and throttle backoffs never wait.
    /// </summary>
    public int MaxQueuedEvents { get; set; } = 10_000;

    /// <summary>Most execution attempts running at once across all functions. Defaults to 64.</summary>
    public int MaxConcurrentExecutions { get; set; } = 64;

    /// <summary>
    /// True (the default): accepted async events and API-set EventInvokeConfigs are kept in SQLite
    /// (<c>&lt;data&gt;/lambda-state.db</c>) and pending events resume after a restart. False: in memory only.
    /// </summary>
    public bool DurableState { get; set; } = true;

    /// <summary>The default <see cref="StateCommitInterval"/>: 20 ms.</summary>
    public static readonly TimeSpan DefaultStateCommitInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long newly accepted and ended events gather before one transaction stores them (real time, whatever the clock).
    /// Events that end within it are never written. A <c>kill -9</c> loses at most the events accepted in the last
    /// interval; retries and throttle backoffs are written at once. Zero: commit as soon as the writer is free.
    /// </summary>
    public TimeSpan StateCommitInterval { get; set; } = DefaultStateCommitInterval;

    /// <summary>
    /// Parses <c>S1,S2</c> (seconds, decimals allowed) into delays. Throws <see cref="FormatException"/> naming the bad part.
    /// </summary>
    public static IReadOnlyList<TimeSpan> ParseRetryDelays(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var delays = new TimeSpan[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || double.IsInfinity(seconds))
            {
                throw new FormatException($"Invalid retry delay '{parts[i]}' in '{text}': expected non-negative seconds, e.g. 60,120.");
            }
            delays[i] = TimeSpan.FromSeconds(seconds);
        }
        return delays;
    }
}
