using System.Collections;
using System.Globalization;
using System.Text;
using IoTRuleEmu.Engine;
using Microsoft.Extensions.Configuration;
using Serilog.Events;

namespace IoTRuleEmu.Options;

/// <summary>
/// Turns appsettings.json, <c>IOTRULEEMU_*</c> environment variables and the command line into one validated
/// <see cref="EmulatorOptions"/>. Each serve option <c>--some-name</c> is also the configuration key <c>some-name</c>
/// (top level of appsettings.json) and the environment variable <c>IOTRULEEMU_SOME_NAME</c>. Command line beats
/// environment beats file. Every problem is collected and reported together.
/// </summary>
public static class EmulatorConfiguration
{
    /// <summary>The prefix of the environment variables that set options.</summary>
    public const string EnvironmentPrefix = "IOTRULEEMU_";

    /// <summary>The settings file read from the current directory, if it exists.</summary>
    public const string SettingsFileName = "appsettings.json";

    /// <summary>Every serve option: name (without <c>--</c>), value placeholder, help text.</summary>
    public static readonly IReadOnlyList<OptionSpec> Options =
    [
        new("mqtt-port", "N", "MQTT 3.1.1 and 5.0 over TCP (default 1883; 0 = any free port)"),
        new("http-port", "N", "HTTP: health, readiness, MQTT over WebSocket at /mqtt (default 8080; 0 = any free port)"),
        new("rules", "DIR", "folder of <ruleName>.json rule files (default ./rules)"),
        new("functions", "FILE", "Lambda functions file (default ./functions.json)"),
        new("data", "DIR", "folder for state and logs (default ./data)"),
        new("cloudformation", "PATH", "CloudFormation/SAM template file or folder: its topic rules, functions and permissions are loaded (default none)"),
        new("region", "R", "region used in every ARN (default us-east-1)"),
        new("account-id", "A", "account used in every ARN (default 123456789012)"),
        new("lambda-retry-delays", "S1,S2", "seconds before the 2nd and the 3rd attempt of a failed async invocation (default 60,120)"),
        new("log-format", "text|json", "console log format (default text)"),
        new("clock", "real|virtual", "virtual: the clock starts at the real time and moves only via POST /_emulator/clock/advance (default real)"),
        new("log-level", "LEVEL", "minimum log level: verbose, debug, information, warning, error (default information)"),
        new("warm-up", "true|false", "before starting, send 1,800 messages through a private emulator so that the first real ones run compiled code: for load tests (default false)"),
    ];

    /// <summary>The environment variable name of option <paramref name="name"/>: <c>IOTRULEEMU_MQTT_PORT</c>.</summary>
    public static string EnvironmentVariableName(string name) =>
        EnvironmentPrefix + name.ToUpperInvariant().Replace('-', '_');

    /// <summary>
    /// Parses the serve command line (<c>--name value</c> or <c>--name=value</c>; an optional leading <c>serve</c>).
    /// </summary>
    public static CommandLineParseResult ParseCommandLine(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        var help = false;
        var start = args.Count > 0 && string.Equals(args[0], "serve", StringComparison.Ordinal) ? 1 : 0;
        for (var i = start; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "-?")
            {
                help = true;
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                errors.Add($"Unexpected argument '{arg}'. Options look like --name value; see --help.");
                continue;
            }
            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (!Options.Any(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"Unknown option '--{name}'. Valid options: {string.Join(", ", Options.Select(o => "--" + o.Name))}.");
                if (value is null && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    i++;
                }
                continue;
            }
            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    errors.Add($"Option '--{name}' needs a value.");
                    continue;
                }
                value = args[++i];
            }
            values[name.ToLowerInvariant()] = value;
        }
        return new CommandLineParseResult(values, errors, help);
    }

    /// <summary>
    /// Builds the layered configuration: <paramref name="settingsDirectory"/>/appsettings.json, then the
    /// <c>IOTRULEEMU_*</c> variables of <paramref name="environment"/>, then <paramref name="commandLine"/>.
    /// </summary>
    public static IConfigurationRoot BuildConfiguration(
        IReadOnlyDictionary<string, string> commandLine, IDictionary environment, string settingsDirectory, List<string> errors)
    {
        var builder = new ConfigurationBuilder();
        var settingsFile = Path.GetFullPath(Path.Combine(settingsDirectory, SettingsFileName));
        if (File.Exists(settingsFile))
        {
            // Read it now so that bad JSON is reported with the other problems instead of as a stack trace.
            try
            {
                using var stream = File.OpenRead(settingsFile);
                var probe = new ConfigurationBuilder().AddJsonStream(stream).Build();
                _ = probe.GetChildren().Count();
                builder.AddJsonFile(settingsFile, optional: true, reloadOnChange: false);
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException or IOException)
            {
                errors.Add($"{settingsFile}: {ex.Message}");
            }
        }
        builder.AddInMemoryCollection(EnvironmentValues(environment)!);
        builder.AddInMemoryCollection(commandLine.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)));
        return builder.Build();
    }

    /// <summary>The option values set through <c>IOTRULEEMU_*</c> variables, keyed by option name.</summary>
    public static Dictionary<string, string> EnvironmentValues(IDictionary environment)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in Options)
        {
            if (environment[EnvironmentVariableName(option.Name)] is string value)
            {
                result[option.Name] = value;
            }
        }
        return result;
    }

    /// <summary>
    /// Reads and validates every option from <paramref name="configuration"/>. Returns null and fills
    /// <paramref name="errors"/> when any value is bad.
    /// </summary>
    public static EmulatorOptions? Bind(IConfiguration configuration, List<string> errors, Func<string, string>? describeSource = null)
    {
        describeSource ??= _ => "configuration";
        var defaults = new EmulatorOptions();

        string? Raw(string name)
        {
            var value = configuration[name];
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }

        string Where(string name) => $"'{name}' (from {describeSource(name)})";

        int Port(string name, int fallback)
        {
            var raw = Raw(name);
            if (raw is null)
            {
                return fallback;
            }
            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535)
            {
                return port;
            }
            errors.Add($"Option {Where(name)} must be a port number from 0 to 65535; got '{raw}'.");
            return fallback;
        }

        string Text(string name, string fallback) => Raw(name) ?? fallback;

        var mqttPort = Port("mqtt-port", defaults.MqttPort);
        var httpPort = Port("http-port", defaults.HttpPort);
        if (mqttPort != 0 && mqttPort == httpPort)
        {
            errors.Add($"Options 'mqtt-port' and 'http-port' must differ; both are {mqttPort}.");
        }

        var region = Text("region", defaults.Region);
        if (!IsRegionName(region))
        {
            errors.Add($"Option {Where("region")} must look like an AWS region such as us-east-1; got '{region}'.");
        }

        var accountId = Text("account-id", defaults.AccountId);
        if (!AwsArns.IsAccountId(accountId))
        {
            errors.Add($"Option {Where("account-id")} must be 12 digits; got '{accountId}'.");
        }

        var delaysText = Text("lambda-retry-delays", defaults.LambdaRetryDelaysText);
        var delays = ParseRetryDelays(delaysText, out var delayError);
        if (delays is null)
        {
            errors.Add($"Option {Where("lambda-retry-delays")} {delayError}; got '{delaysText}'.");
        }

        var logFormat = defaults.LogFormat;
        var logFormatText = Raw("log-format");
        if (logFormatText is not null && !Enum.TryParse(logFormatText, ignoreCase: true, out logFormat))
        {
            errors.Add($"Option {Where("log-format")} must be 'text' or 'json'; got '{logFormatText}'.");
        }

        var logLevel = defaults.LogLevel;
        var logLevelText = Raw("log-level");
        if (logLevelText is not null && !TryParseLevel(logLevelText, out logLevel))
        {
            errors.Add($"Option {Where("log-level")} must be one of verbose, debug, information, warning, error, fatal; got '{logLevelText}'.");
        }

        var clock = ClockMode.Real;
        var clockText = Raw("clock");
        if (clockText is not null && !(Enum.TryParse(clockText, ignoreCase: true, out clock) && Enum.IsDefined(clock) && !char.IsDigit(clockText[0])))
        {
            errors.Add($"Option {Where("clock")} must be 'real' or 'virtual'; got '{clockText}'.");
        }

        var warmUp = defaults.WarmUp;
        var warmUpText = Raw("warm-up");
        if (warmUpText is not null && !bool.TryParse(warmUpText, out warmUp))
        {
            errors.Add($"Option {Where("warm-up")} must be 'true' or 'false'; got '{warmUpText}'.");
        }

        if (errors.Count > 0)
        {
            return null;
        }
        return new EmulatorOptions
        {
            Clock = clock,
            MqttPort = mqttPort,
            HttpPort = httpPort,
            RulesDirectory = Text("rules", defaults.RulesDirectory),
            FunctionsFile = Text("functions", defaults.FunctionsFile),
            DataDirectory = Text("data", defaults.DataDirectory),
            CloudFormation = Raw("cloudformation") is { Length: > 0 } cloudFormation ? cloudFormation : defaults.CloudFormation,
            Region = region,
            AccountId = accountId,
            LambdaRetryDelays = delays!,
            LambdaRetryDelaysText = delaysText,
            LogFormat = logFormat,
            LogLevel = logLevel,
            WarmUp = warmUp,
        };
    }

    /// <summary>
    /// Parses <c>S1,S2</c>: exactly two non-negative numbers of seconds (fractions allowed, at most 6 hours each).
    /// </summary>
    public static IReadOnlyList<TimeSpan>? ParseRetryDelays(string text, out string? error)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            error = "must be two numbers of seconds separated by a comma (S1,S2)";
            return null;
        }
        var result = new TimeSpan[2];
        for (var i = 0; i < 2; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                || seconds < 0 || seconds > 6 * 3600)
            {
                error = "must be two numbers of seconds from 0 to 21600 separated by a comma (S1,S2)";
                return null;
            }
            result[i] = TimeSpan.FromSeconds(seconds);
        }
        error = null;
        return result;
    }

    private static bool TryParseLevel(string text, out LogEventLevel level)
    {
        switch (text.ToLowerInvariant())
        {
            case "trace" or "verbose": level = LogEventLevel.Verbose; return true;
            case "debug": level = LogEventLevel.Debug; return true;
            case "info" or "information": level = LogEventLevel.Information; return true;
            case "warn" or "warning": level = LogEventLevel.Warning; return true;
            case "error": level = LogEventLevel.Error; return true;
            case "fatal" or "critical": level = LogEventLevel.Fatal; return true;
            default: level = default; return false;
        }
    }

    /// <summary>
    /// Everything in one call: parse <paramref name="args"/>, layer the sources, validate.
    /// </summary>
    public static OptionsResult Load(IReadOnlyList<string> args, IDictionary environment, string settingsDirectory)
    {
        var parsed = ParseCommandLine(args);
        var errors = new List<string>(parsed.Errors);
        var configuration = BuildConfiguration(parsed.Values, environment, settingsDirectory, errors);
        var env = EnvironmentValues(environment);
        string Source(string name) =>
            parsed.Values.ContainsKey(name) ? $"--{name}"
            : env.ContainsKey(name) ? EnvironmentVariableName(name)
            : SettingsFileName;
        var options = Bind(configuration, errors, Source);
        return new OptionsResult(options, configuration, errors, parsed.Help);
    }

    /// <summary>The usage text printed by <c>--help</c>.</summary>
    public static string Usage()
    {
        var sb = new StringBuilder();
        sb.AppendLine("Usage: IoTRuleEmu [serve] [options]");
        sb.AppendLine("       IoTRuleEmu eval --sql SQL --topic TOPIC --payload TEXT [--sql-version V] [--client-id ID]");
        sb.AppendLine("       IoTRuleEmu eval --cases FILE");
        sb.AppendLine();
        sb.AppendLine("Serve options (each is also an appsettings.json key and an IOTRULEEMU_<NAME> variable;");
        sb.AppendLine("command line beats environment beats file):");
        foreach (var o in Options)
        {
            sb.Append("  --").Append(o.Name).Append(' ').Append(o.Placeholder.PadRight(28 - o.Name.Length)).Append(' ').AppendLine(o.Help);
        }
        return sb.ToString();
    }

    // Checked by hand rather than with a (generated) regular expression: System.Text.RegularExpressions would be loaded
    // at every start for this check alone (~0.8 MB resident); the account id goes through AwsArns.IsAccountId.

    /// <summary>^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$, e.g. us-east-1, us-gov-west-1.</summary>
    internal static bool IsRegionName(string text)
    {
        var parts = text.Split('-');
        return parts.Length >= 3
            && parts[0] is [>= 'a' and <= 'z', >= 'a' and <= 'z']
            && parts[1..^1].All(static p => p.Length > 0 && p.All(static c => c is >= 'a' and <= 'z'))
            && parts[^1] is [>= '0' and <= '9'] or [>= '0' and <= '9', >= '0' and <= '9'];
    }
}

/// <summary>One serve option.</summary>
public sealed record OptionSpec(string Name, string Placeholder, string Help);

/// <summary>The parsed command line.</summary>
public sealed record CommandLineParseResult(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Errors, bool Help);

/// <summary>The outcome of <see cref="EmulatorConfiguration.Load"/>.</summary>
public sealed record OptionsResult(EmulatorOptions? Options, IConfiguration Configuration, IReadOnlyList<string> Errors, bool Help);
