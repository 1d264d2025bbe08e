namespace IoTRuleEmu.Options;

/// <summary>
/// The validated serve options (CONTRACT.md "Serve options"). Built once at start-up by
/// <see cref="EmulatorConfiguration"/> from appsettings.json, <c>IOTRULEEMU_*</c> environment variables and the
/// command line (command line beats environment beats file). Immutable.
/// </summary>
public sealed record EmulatorOptions
{
    /// <summary>MQTT 3.1.1 and 5.0 over TCP. Defaults to 1883. 0 picks a free port (tests).</summary>
    public int MqttPort { get; init; } = 1883;

    /// <summary>HTTP: health, readiness and MQTT over WebSocket at <c>/mqtt</c>. Defaults to 8080. 0 picks a free port.</summary>
    public int HttpPort { get; init; } = 8080;

    /// <summary>Folder of <c>&lt;ruleName&gt;.json</c> rule files. Defaults to <c>./rules</c>.</summary>
    public string RulesDirectory { get; init; } = "./rules";

    /// <summary>The Lambda functions file. Defaults to <c>./functions.json</c>.</summary>
    public string FunctionsFile { get; init; } = "./functions.json";

    /// <summary>Folder for state and logs (cloudtrail.jsonl, invocations.jsonl). Defaults to <c>./data</c>.</summary>
    public string DataDirectory { get; init; } = "./data";

    /// <summary>
    /// CloudFormation/SAM template file or folder (comma-separated for several) whose topic rules, functions and
    /// permissions are loaded (<c>--cloudformation</c>). Defaults to none.
    /// </summary>
    public string? CloudFormation { get; init; }

    /// <summary>Region used in every ARN. Defaults to <c>us-east-1</c>.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Account used in every ARN. Defaults to <c>123456789012</c>.</summary>
    public string AccountId { get; init; } = "123456789012";

    /// <summary>Delays before the 2nd and before the 3rd attempt of a failed async invocation. Defaults to 60 s, 120 s.</summary>
    public IReadOnlyList<TimeSpan> LambdaRetryDelays { get; init; } = [TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120)];

    /// <summary>The <c>--lambda-retry-delays</c> text as given (for the Lambda library's own parser and for logs).</summary>
    public string LambdaRetryDelaysText { get; init; } = "60,120";

    /// <summary>
    /// The emulator's clock: real (default), or virtual (<c>--clock virtual</c>: starts at the real time and moves only
    /// through <c>POST /_emulator/clock/advance</c>).
    /// </summary>
    public ClockMode Clock { get; init; } = ClockMode.Real;

    /// <summary>Console log format: human-readable text (default) or compact JSON (<c>--log-format json</c>).</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Minimum log level. Defaults to Information.</summary>
    public Serilog.Events.LogEventLevel LogLevel { get; init; } = Serilog.Events.LogEventLevel.Information;

    /// <summary>
    /// Send telemetry through a private emulator before starting, so the first messages do not wait for the JIT
    /// (<see cref="Hosting.StartupWarmUp"/>): for load tests. Off by default: it costs ~0.4 s of start-up and ~12 MB of
    /// idle memory (the compiled message path), docs/performance.md.
    /// </summary>
    public bool WarmUp { get; init; }
}

/// <summary>Console log formats.</summary>
public enum LogFormat
{
    /// <summary>One human-readable line per event.</summary>
    Text,
    /// <summary>Serilog compact JSON (CLEF), one object per line.</summary>
    Json,
}

/// <summary><c>--clock</c> values.</summary>
public enum ClockMode
{
    /// <summary>The system clock.</summary>
    Real,
    /// <summary>A virtual clock advanced through <c>POST /_emulator/clock/advance</c>.</summary>
    Virtual,
}
