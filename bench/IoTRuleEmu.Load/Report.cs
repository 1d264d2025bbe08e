using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRuleEmu.Load;

/// <summary>
/// <c>report</c>: joins the results of one bench/run.sh run (<c>&lt;label&gt;.json</c> from the consumer,
/// <c>&lt;label&gt;.pub.json</c> from the publisher, <c>*.startup.json</c> and <c>meta.json</c> from run.sh) into one table,
/// checks the issue's targets, and writes everything as one JSON document.
/// Labels: <c>mosq-q&lt;QoS&gt;[-half]</c> for mosquitto, <c>emu-r&lt;rules&gt;-q&lt;QoS&gt;[-half]</c> for the emulator,
/// <c>floor-q&lt;QoS&gt;</c> for the emulator with no rules timed to the broker's hand-off (its ingest floor), each with
/// <c>#&lt;k&gt;</c> appended for repetition k when run.sh runs the matrix more than once (<c>--repeat</c>). With
/// repetitions, each run is listed, ratios are taken within a repetition, and the medians decide the targets: single
/// runs on a shared 2-core machine vary more than most of the differences the targets ask about.
/// </summary>
internal static class Report
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static int Run(ArgList args)
    {
        var dir = args.Required("dir");
        var outPath = args.OptionalString("out");
        var metaPath = args.String("meta", Path.Combine(dir, "meta.json"));

        var runs = new List<Row>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".pub.json", StringComparison.Ordinal) || name.EndsWith(".startup.json", StringComparison.Ordinal) || name == "meta.json")
            {
                continue;
            }
            var consumer = Read(file);
            if (consumer?["kind"]?.GetValue<string>() is not ("sub" or "tail" or "ingest"))
            {
                continue;
            }
            var label = Path.GetFileNameWithoutExtension(file);
            var pub = Read(Path.Combine(dir, label + ".pub.json"));
            runs.Add(new Row(label, consumer, pub));
        }
        // Full-speed runs first, QoS 1 before 0, mosquitto before the emulator, fewer rules first, the ingest floor last.
        runs = [.. runs.OrderBy(r => r.IsHalf).ThenByDescending(r => r.Qos).ThenBy(r => r.IsMosquitto ? 0 : 1).ThenBy(r => r.IsIngest).ThenBy(r => r.Rules)];
        var startups = Directory.EnumerateFiles(dir, "*.startup.json").Order(StringComparer.Ordinal)
            .Select(f => (Label: Path.GetFileName(f)[..^".startup.json".Length], Node: Read(f)))
            .Where(s => s.Node is not null)
            .ToList();
        var meta = Read(metaPath);
        foreach (var row in runs)
        {
            var baseline = runs.FirstOrDefault(r => r.IsMosquitto && r.Qos == row.Qos && r.IsHalf == row.IsHalf && r.Repetition == row.Repetition);
            row.Ratio = baseline is not null && !row.IsMosquitto && baseline.Throughput > 0 ? row.Throughput / baseline.Throughput : null;
        }
        var repetitions = runs.Count == 0 ? 0 : runs.Max(r => r.Repetition);
        var judged = repetitions > 1 ? Medians(runs) : runs;
        var judgedStartups = repetitions > 1 ? MaxStartups(startups) : startups;

        var text = new StringBuilder();
        if (meta is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Machine: {Str(meta, "machine")}; load average before: {Str(meta, "loadBefore")}, after: {Str(meta, "loadAfter")}; {Str(meta, "when")}; commit {Str(meta, "commit")}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Command: {Str(meta, "command")}");
            text.AppendLine();
        }
        text.AppendLine("| run | system | QoS | rules | rate asked (msg/s) | messages | received | lost | dup | throughput (msg/s) | × mosquitto | p50 (ms) | p99 (ms) | max (ms) | p99 after 2 s (ms) | server CPU (cores) | server CPU per msg (µs) | server peak RSS (MiB) | load avg |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        AppendRows(text, repetitions > 1 ? [.. runs.OrderBy(r => r.Repetition)] : runs);
        if (repetitions > 1)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Medians over {repetitions} repetitions (× mosquitto: the median of the ratios within each repetition; lost and dup: totals; peak RSS: the highest):");
            text.AppendLine();
            text.AppendLine("| run | system | QoS | rules | rate asked (msg/s) | messages | received | lost | dup | throughput (msg/s) | × mosquitto | p50 (ms) | p99 (ms) | max (ms) | p99 after 2 s (ms) | server CPU (cores) | server CPU per msg (µs) | server peak RSS (MiB) | load avg |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            AppendRows(text, judged);
        }
        if (startups.Count > 0)
        {
            startups = [.. startups.OrderBy(st => Repetition(st.Label)).ThenBy(st => st.Label, StringComparer.Ordinal)];
            text.AppendLine();
            text.AppendLine("| emulator start | rules | start → ready (s) | idle RSS after ready (MiB) |");
            text.AppendLine("|---|---|---|---|");
            foreach (var (label, node) in startups)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {label} | {Num(node!, "rules")} | {F(Num(node!, "startToReadySeconds"), "F2")} | {F(Num(node!, "idleRssMiB"), "F0")} |");
            }
        }

        var targets = CheckTargets(judged, judgedStartups);
        text.AppendLine();
        text.AppendLine("| target | measured | met |");
        text.AppendLine("|---|---|---|");
        foreach (var t in targets)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {t.Name} | {t.Measured} | {(t.Met is null ? "not measured" : t.Met.Value ? "yes" : "**no**")} |");
        }
        Console.Write(text.ToString());

        if (outPath is not null)
        {
            var doc = new JsonObject
            {
                ["meta"] = meta?.DeepClone(),
                ["repetitions"] = repetitions,
                ["runs"] = new JsonArray([.. runs.Select(r => (JsonNode)new JsonObject
                {
                    ["label"] = r.Label,
                    ["throughput"] = Math.Round(r.Throughput, 1),
                    ["ratioToMosquitto"] = r.Ratio is { } x ? Math.Round(x, 3) : null,
                    ["consumer"] = r.Consumer.DeepClone(),
                    ["publisher"] = r.Pub?.DeepClone(),
                })]),
                ["medians"] = repetitions > 1
                    ? new JsonArray([.. judged.Select(r => (JsonNode)new JsonObject
                    {
                        ["label"] = r.Label,
                        ["ratioToMosquitto"] = r.Ratio is { } x ? Math.Round(x, 3) : null,
                        ["consumer"] = r.Consumer.DeepClone(),
                    })])
                    : null,
                ["startup"] = new JsonArray([.. startups.Select(s => (JsonNode)new JsonObject { ["label"] = s.Label, ["result"] = s.Node!.DeepClone() })]),
                ["targets"] = new JsonArray([.. targets.Select(t => (JsonNode)new JsonObject { ["target"] = t.Name, ["measured"] = t.Measured, ["met"] = t.Met })]),
                ["table"] = text.ToString(),
            };
            File.WriteAllText(outPath, doc.ToJsonString(s_indented) + "\n");
            Console.Error.WriteLine($"[report] wrote {outPath}");
        }
        return 0;
    }

    private static void AppendRows(StringBuilder text, IEnumerable<Row> rows)
    {
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Label} | {row.System} | {row.Qos} | {(row.IsMosquitto ? "–" : row.Rules.ToString(CultureInfo.InvariantCulture))} | " +
                $"{(row.RequestedRate > 0 ? row.RequestedRate.ToString("F0", CultureInfo.InvariantCulture) : "max")} | {row.Expected} | {row.Received} | {row.Lost} | {row.Duplicates} | " +
                $"{row.Throughput:F0} | {(row.Ratio is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "–")} | {F(row.P50)} | {F(row.P99)} | {F(row.Max)} | {F(row.SteadyP99)} | {F(row.Cores)} | {F(row.CpuPerMessageUs, "F0")} | {F(row.PeakRss, "F0")} | {row.Load} |");
        }
    }

    /// <summary>One row per run kind: medians of the repetitions (ratios taken within each repetition first).</summary>
    private static List<Row> Medians(List<Row> runs)
    {
        var rows = new List<Row>();
        foreach (var group in runs.GroupBy(r => r.BaseLabel))
        {
            var all = group.ToList();
            var first = all[0];
            var consumer = new JsonObject
            {
                ["kind"] = first.Consumer["kind"]?.DeepClone(),
                ["qos"] = first.Qos,
                ["expected"] = Median(all.Select(r => (double?)r.Expected)),
                ["received"] = Median(all.Select(r => (double?)r.Received)),
                ["lost"] = all.Sum(r => r.Lost),
                ["duplicates"] = all.Sum(r => r.Duplicates),
                ["throughput"] = Median(all.Select(r => (double?)r.Throughput)),
                [first.LatencyKey("P50Ms")] = Median(all.Select(r => r.P50)),
                [first.LatencyKey("P99Ms")] = Median(all.Select(r => r.P99)),
                [first.LatencyKey("MaxMs")] = Median(all.Select(r => r.Max)),
                [first.LatencyKey("SteadyP50Ms")] = Median(all.Select(r => r.SteadyP50)),
                [first.LatencyKey("SteadyP99Ms")] = Median(all.Select(r => r.SteadyP99)),
                ["serverCores"] = Median(all.Select(r => r.Cores)),
                ["cpuPerMessageUs"] = Median(all.Select(r => r.CpuPerMessageUs)),
                ["serverPeakRssMiB"] = all.Select(r => r.PeakRss).Max(),
                ["loadAverageAtStart"] = string.Join(" ", all.Select(r => r.Load)),
                ["runs"] = all.Count,
            };
            rows.Add(new Row(first.BaseLabel, consumer, first.Pub?.DeepClone())
            {
                Ratio = first.IsMosquitto ? null : Median(all.Select(r => r.Ratio)),
            });
        }
        return rows;
    }

    /// <summary>Start-up per rule count over the repetitions: the slowest start and the largest idle RSS.</summary>
    private static List<(string Label, JsonNode? Node)> MaxStartups(List<(string Label, JsonNode? Node)> startups) =>
        [.. startups.GroupBy(st => st.Label.Split('#')[0]).Select(g => (g.Key, (JsonNode?)new JsonObject
        {
            ["rules"] = g.Select(st => Num(st.Node!, "rules")).Max(),
            ["startToReadySeconds"] = g.Select(st => Num(st.Node!, "startToReadySeconds")).Max(),
            ["idleRssMiB"] = g.Select(st => Num(st.Node!, "idleRssMiB")).Max(),
        }))];

    private static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        if (sorted.Count == 0)
        {
            return null;
        }
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static int Repetition(string label) =>
        label.Split('#') is [_, var k] && int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;

    private static List<Target> CheckTargets(List<Row> runs, List<(string Label, JsonNode? Node)> startups)
    {
        var list = new List<Target>();
        Row? Find(string label) => runs.FirstOrDefault(r => r.Label == label);
        foreach (var qos in new[] { 1, 0 })
        {
            var emu = Find($"emu-r100-q{qos}");
            var ratio = emu?.Ratio;
            list.Add(new Target($"QoS {qos}, 100 rules: throughput ≥ 1.0 × mosquitto, zero lost",
                emu is null ? "–" : $"{ratio:F2} × ({emu.Throughput:F0} msg/s), lost {emu.Lost}",
                emu is null || ratio is null ? null : ratio >= 1.0 && emu.Lost == 0));
        }
        foreach (var qos in new[] { 1, 0 })
        {
            var r100 = Find($"emu-r100-q{qos}");
            var r10k = Find($"emu-r10000-q{qos}");
            if (r100 is not null && r10k is not null && r100.Throughput > 0)
            {
                var drop = 1 - r10k.Throughput / r100.Throughput;
                list.Add(new Target($"QoS {qos}: 10,000 rules instead of 100 drops throughput ≤ 10%",
                    $"{drop * 100:F1}% ({r10k.Throughput:F0} vs {r100.Throughput:F0} msg/s), lost {r10k.Lost}", drop <= 0.10 && r10k.Lost == 0));
            }
        }
        var half = Find("emu-r100-q1-half");
        list.Add(new Target("half the maximum rate (QoS 1, 100 rules): p99 publish → first attempt ≤ 5 ms, whole run",
            half is null ? "–" : $"p99 {F(half.P99)} ms (p50 {F(half.P50)}) at {half.RequestedRate:F0} msg/s",
            half?.P99 is { } p99 ? p99 <= 5 : null));
        list.Add(new Target("… the same without the first 2 s (start-up: first connections, thread pool; JIT build: compilation)",
            half is null ? "–" : $"p99 {F(half.SteadyP99)} ms (p50 {F(half.SteadyP50)})",
            half?.SteadyP99 is { } steady ? steady <= 5 : null));
        var peak = runs.Where(r => !r.IsMosquitto && r.Rules >= 10_000).Select(r => r.PeakRss).Where(p => p is not null).Max();
        list.Add(new Target("peak RSS ≤ 250 MB with 10,000 rules under load", peak is null ? "–" : $"{peak:F0} MiB", peak is null ? null : peak <= 250));
        // Idle RSS and start-up are judged on an ordinary configuration (at most 100 rules); larger ones are shown too.
        var small = startups.Where(s => Num(s.Node!, "rules") is <= 100).ToList();
        string All(string key, string unit, string format) =>
            startups.Count == 0 ? "–" : string.Join(", ", startups.Select(s => $"{Num(s.Node!, "rules"):F0} rules: {F(Num(s.Node!, key), format)} {unit}"));
        var idleSmall = small.Select(s => Num(s.Node!, "idleRssMiB")).Where(v => v is not null).Max();
        list.Add(new Target("idle RSS ≤ 80 MB (≤ 100 rules)", All("idleRssMiB", "MiB", "F0"), idleSmall is null ? null : idleSmall <= 80));
        var readySmall = small.Select(s => Num(s.Node!, "startToReadySeconds")).Where(v => v is not null).Max();
        list.Add(new Target("start to ready ≤ 1.5 s (≤ 100 rules)", All("startToReadySeconds", "s", "F2"), readySmall is null ? null : readySmall <= 1.5));
        return list;
    }

    private static JsonNode? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Str(JsonNode node, string name) => node[name]?.ToString() ?? "?";

    private static double? Num(JsonNode node, string name) => node[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string F(double? value, string format = "F2") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private sealed record Target(string Name, string Measured, bool? Met);

    private sealed class Row(string label, JsonNode consumer, JsonNode? pub)
    {
        public string Label { get; } = label;
        public JsonNode Consumer { get; } = consumer;
        public JsonNode? Pub { get; } = pub;
        public string BaseLabel => Label.Split('#')[0];
        public int Repetition => Report.Repetition(Label);
        public bool IsMosquitto => BaseLabel.StartsWith("mosq", StringComparison.Ordinal);
        public bool IsHalf => BaseLabel.EndsWith("-half", StringComparison.Ordinal);

        /// <summary>An ingest-floor run: the emulator with no rules, timed to the broker's hand-off to the engine.</summary>
        public bool IsIngest => Consumer["kind"]?.ToString() == "ingest";

        public string System => IsMosquitto ? "mosquitto → 1 subscriber" : IsIngest ? "emulator, no rules → accepted by the broker" : "emulator → InvokeExecution";
        public int Qos => (int)(Num(Consumer, "qos") ?? (Pub is null ? -1 : Num(Pub, "qos") ?? -1));
        public int Rules => IsIngest || Pub is null ? 0 : (int)(Num(Pub, "topics") ?? 0);
        public double RequestedRate => Pub is null ? 0 : Num(Pub, "requestedRate") ?? 0;
        public long Expected => (long)(Num(Consumer, "expected") ?? 0);
        public long Received => (long)(Num(Consumer, "received") ?? 0);
        public long Lost => (long)(Num(Consumer, "lost") ?? 0);
        public long Duplicates => (long)(Num(Consumer, "duplicates") ?? 0);
        public double Throughput => Num(Consumer, "throughput") ?? IngestThroughput ?? 0;

        /// <summary>Messages accepted per second from the publisher's first send to the poll that saw the last one.</summary>
        private double? IngestThroughput =>
            IsIngest && Pub is not null && Num(Pub, "startUs") is { } start && Num(Consumer, "observedAllUs") is { } end && end > start
                ? Received / ((end - start) / 1e6)
                : null;
        public double? P50 => Num(Consumer, LatencyKey("P50Ms"));
        public double? P99 => Num(Consumer, LatencyKey("P99Ms"));
        public double? Max => Num(Consumer, LatencyKey("MaxMs"));
        public double? SteadyP50 => Num(Consumer, LatencyKey("SteadyP50Ms"));
        public double? SteadyP99 => Num(Consumer, LatencyKey("SteadyP99Ms"));

        /// <summary>A latency field of the consumer's result: mosquitto's subscriber measures delivery, tail the attempt.</summary>
        public string LatencyKey(string stat) => (IsMosquitto ? "delivery" : "attempt") + stat;
        public double? Cores => Num(Consumer, "serverCores");
        public double? CpuPerMessageUs => Num(Consumer, "cpuPerMessageUs")
            ?? (Num(Consumer, "serverCpuSeconds") is { } cpu && Received > 0 ? cpu / Received * 1e6 : null);
        public double? PeakRss => Num(Consumer, "serverPeakRssMiB");
        public string Load => Consumer["runs"] is not null
            ? Consumer["loadAverageAtStart"]?.ToString() ?? "?"
            : Consumer["loadAverageAtStart"]?.ToString().Split(' ').FirstOrDefault() ?? "?";
        public double? Ratio { get; set; }
    }
}
