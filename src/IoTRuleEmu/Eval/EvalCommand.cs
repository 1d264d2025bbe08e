using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using IoTRuleEmu.Sql;
using IoTRuleEmu.Sql.Runtime;

namespace IoTRuleEmu.Eval;

/// <summary>
/// <c>eval</c>: evaluates AWS IoT SQL offline, without starting the host (CONTRACT.md "eval").
/// <list type="bullet">
/// <item>Single case: prints the output payload bytes exactly (no newline added) and exits 0; prints nothing and
/// exits 1 when the topic filter or WHERE does not match; prints <c>SqlParseException: …</c> on standard error and
/// exits 2 for bad SQL; exits 3 when the evaluation failed (an external function failed).</item>
/// <item><c>--cases FILE</c>: one JSON line out per case line in; exits 0 when every line was a case that could be
/// evaluated (SQL errors are results), 3 when some line was not a valid case.</item>
/// <item>Wrong usage (unknown option, missing value, unreadable file): message on standard error, exit 64.</item>
/// </list>
/// </summary>
public static class EvalCommand
{
    public const int ExitMatched = 0;
    public const int ExitNotMatched = 1;
    public const int ExitBadSql = 2;
    public const int ExitFailed = 3;
    public const int ExitUsage = 64;

    private static readonly string[] s_knownOptions =
        ["sql", "topic", "payload", "payload-base64", "sql-version", "client-id", "cases"];

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Runs <c>eval</c> with <paramref name="args"/> (the arguments after <c>eval</c>).</summary>
    public static int Run(IReadOnlyList<string> args, Stream stdout, TextWriter stderr, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                stderr.Write(Options.EmulatorConfiguration.Usage());
                return ExitUsage;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return Usage(stderr, $"Unexpected argument '{arg}'.");
            }
            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (Array.IndexOf(s_knownOptions, name) < 0)
            {
                return Usage(stderr, $"Unknown eval option '--{name}'. Valid: {string.Join(", ", s_knownOptions.Select(o => "--" + o))}.");
            }
            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return Usage(stderr, $"Option '--{name}' needs a value.");
                }
                value = args[++i];
            }
            options[name] = value;
        }

        if (options.TryGetValue("cases", out var casesFile))
        {
            if (options.Count > 1)
            {
                return Usage(stderr, "--cases cannot be combined with other eval options.");
            }
            return RunCases(casesFile, stdout, stderr, time);
        }
        return RunSingle(options, stdout, stderr, time);
    }

    private static int RunSingle(Dictionary<string, string> options, Stream stdout, TextWriter stderr, TimeProvider time)
    {
        if (!options.TryGetValue("sql", out var sql))
        {
            return Usage(stderr, "eval needs --sql SQL (or --cases FILE).");
        }
        if (!options.TryGetValue("topic", out var topic))
        {
            return Usage(stderr, "eval needs --topic TOPIC.");
        }
        byte[] payload;
        if (options.TryGetValue("payload-base64", out var base64))
        {
            if (options.ContainsKey("payload"))
            {
                return Usage(stderr, "Give --payload or --payload-base64, not both.");
            }
            try
            {
                payload = Convert.FromBase64String(base64);
            }
            catch (FormatException ex)
            {
                return Usage(stderr, $"--payload-base64: {ex.Message}");
            }
        }
        else
        {
            payload = options.TryGetValue("payload", out var text) ? Encoding.UTF8.GetBytes(text) : [];
        }
        options.TryGetValue("sql-version", out var versionText);
        if (!SqlVersions.TryParse(versionText, out var version))
        {
            return Usage(stderr, $"Unknown --sql-version '{versionText}'. Valid values: 2015-10-08, 2016-03-23, beta.");
        }
        options.TryGetValue("client-id", out var clientId);

        SqlStatement statement;
        try
        {
            statement = SqlStatement.Compile(sql, version);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stderr.WriteLine(Describe(ex));
            return ExitBadSql;
        }

        SqlResult result;
        try
        {
            result = statement.Evaluate(Message(topic, payload, clientId, time));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stderr.WriteLine(Describe(ex));
            return ExitFailed;
        }
        switch (result.Outcome)
        {
            case SqlOutcome.Matched:
                stdout.Write(result.Payload);
                stdout.Flush();
                return ExitMatched;
            case SqlOutcome.NotMatched:
                return ExitNotMatched;
            default:
                stderr.WriteLine($"SqlEvaluationException: {result.Error}");
                return ExitFailed;
        }
    }

    private static int RunCases(string path, Stream stdout, TextWriter stderr, TimeProvider time)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Usage(stderr, $"Cannot read cases file '{path}': {ex.Message}");
        }

        var output = new ArrayBufferWriter<byte>(4096);
        var allValid = true;
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            output.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(output, s_writerOptions))
            {
                allValid &= EvaluateCase(line, writer, time);
            }
            output.Write("\n"u8);
            stdout.Write(output.WrittenSpan);
        }
        stdout.Flush();
        return allValid ? ExitMatched : ExitFailed;
    }

    /// <summary>Evaluates one case line and writes its result object; false when the line is not a valid case.</summary>
    private static bool EvaluateCase(string line, Utf8JsonWriter writer, TimeProvider time)
    {
        writer.WriteStartObject();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            writer.WriteNull("id");
            writer.WriteString("error", $"{nameof(JsonException)}: {ex.Message}");
            writer.WriteEndObject();
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                writer.WriteNull("id");
                writer.WriteString("error", "ArgumentException: a case must be a JSON object");
                writer.WriteEndObject();
                return false;
            }
            writer.WritePropertyName("id");
            if (root.TryGetProperty("id", out var id))
            {
                id.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            if (!TryReadCase(root, out var sql, out var topic, out var payload, out var version, out var clientId, out var problem))
            {
                writer.WriteString("error", problem);
                writer.WriteEndObject();
                return false;
            }

            try
            {
                var result = SqlStatement.Compile(sql, version).Evaluate(Message(topic, payload, clientId, time));
                switch (result.Outcome)
                {
                    case SqlOutcome.Matched:
                        writer.WriteBoolean("matched", true);
                        WritePayload(writer, result.Payload!);
                        break;
                    case SqlOutcome.NotMatched:
                        writer.WriteBoolean("matched", false);
                        break;
                    default:
                        writer.WriteString("error", $"SqlEvaluationException: {result.Error}");
                        break;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                writer.WriteString("error", Describe(ex));
            }
            writer.WriteEndObject();
            return true;
        }
    }

    private static bool TryReadCase(
        JsonElement root, out string sql, out string topic, out byte[] payload, out SqlVersion version, out string? clientId, out string problem)
    {
        sql = topic = problem = "";
        payload = [];
        version = default;
        clientId = null;
        if (!root.TryGetProperty("sql", out var sqlElement) || sqlElement.ValueKind != JsonValueKind.String)
        {
            problem = "ArgumentException: the case has no \"sql\" string";
            return false;
        }
        sql = sqlElement.GetString()!;
        topic = root.TryGetProperty("topic", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        if (root.TryGetProperty("payloadBase64", out var b64) && b64.ValueKind == JsonValueKind.String)
        {
            try
            {
                payload = Convert.FromBase64String(b64.GetString()!);
            }
            catch (FormatException ex)
            {
                problem = $"FormatException: payloadBase64: {ex.Message}";
                return false;
            }
        }
        else if (root.TryGetProperty("payload", out var p))
        {
            // The payload text; a JSON value that is not a string is taken as its own JSON text.
            payload = p.ValueKind switch
            {
                JsonValueKind.String => Encoding.UTF8.GetBytes(p.GetString()!),
                JsonValueKind.Null => [],
                _ => Encoding.UTF8.GetBytes(p.GetRawText()),
            };
        }
        string? versionText = null;
        if (root.TryGetProperty("sqlVersion", out var v) && v.ValueKind == JsonValueKind.String)
        {
            versionText = v.GetString();
        }
        if (!SqlVersions.TryParse(versionText, out version))
        {
            problem = $"ArgumentException: Unknown sqlVersion '{versionText}'. Valid values: 2015-10-08, 2016-03-23, beta.";
            return false;
        }
        if (root.TryGetProperty("clientId", out var c) && c.ValueKind == JsonValueKind.String)
        {
            clientId = c.GetString();
        }
        return true;
    }

    private static void WritePayload(Utf8JsonWriter writer, byte[] payload)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        try
        {
            writer.WriteString("payload", utf8.GetString(payload));
        }
        catch (DecoderFallbackException)
        {
            // Binary output (SELECT * of a non-JSON payload): the text with replacement characters, plus the exact bytes.
            writer.WriteString("payload", Encoding.UTF8.GetString(payload));
            writer.WriteBase64String("payloadBase64", payload);
        }
    }

    private static SqlMessage Message(string topic, byte[] payload, string? clientId, TimeProvider time) => new()
    {
        Topic = topic,
        Payload = payload,
        ClientId = clientId,
        TimestampMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        TraceId = Guid.NewGuid().ToString(),
    };

    private static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"eval: {message}");
        stderr.WriteLine("Usage: eval --sql SQL --topic TOPIC --payload TEXT [--sql-version V] [--client-id ID]");
        stderr.WriteLine("       eval --cases FILE");
        return ExitUsage;
    }
}
