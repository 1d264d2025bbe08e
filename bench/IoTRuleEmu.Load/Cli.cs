namespace IoTRuleEmu.Load;

/// <summary>Command dispatch and usage text.</summary>
internal static class Cli
{
    public const string Usage = """
        IoTRuleEmu.Load — end-to-end MQTT load generator (bench/run.sh drives it)

          pub        publish N messages over K connections at a QoS and rate; writes a JSON summary
                     --host 127.0.0.1 --port 1883 --count 100000 --connections 4 --qos 1 --rate 0 (0 = as fast as acks allow)
                     --window 32 (in-flight publishes per connection) --topics 1 (message i goes to <prefix>/<i % topics>/d<conn>)
                     --prefix bench --protocol 311|500 --timeout 120 --out FILE --label NAME
          sub        counting subscriber: subscribe, count distinct sequence numbers, latency from the embedded send time
                     --host --port --filter bench/# --qos 1 --expect N --timeout 120 --idle-timeout 10
                     --pid PID (sample that process's CPU and RSS) --ready-file FILE --out FILE --label NAME
                     --warmup 2 (also report latency of messages sent this many seconds after the first: the steady state)
          tail       counting reader of an emulator's data folder: InvokeExecution records in cloudtrail.jsonl, then
                     latency and losses from invocations.jsonl (attempt time minus the event's send time)
                     --data DIR --expect N --timeout 120 --idle-timeout 10 --pid PID --ready-file FILE --out FILE --label NAME
          ingest     counting poller of an emulator's GET /_emulator/stats (mqtt.messagesAccepted): publish → accepted by the
                     broker, for runs with no rules (nothing is logged or written then)
                     --host 127.0.0.1 --http-port 8080 --expect N --timeout 120 --idle-timeout 10 --pid PID --ready-file FILE
                     --out FILE --label NAME
          gen-rules  write R rule files (rule i: SELECT * FROM '<prefix>/<i>/+', action lambda <function>) and a functions file
                     --dir DIR --count R --prefix bench --function bench_succeed --functions-file FILE
          report     print the side-by-side table of a results folder and write the combined JSON
                     --dir DIR --out FILE [--meta FILE]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        ArgList options;
        try
        {
            options = ArgList.Parse(args.AsSpan(1));
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        try
        {
            return args[0] switch
            {
                "pub" => await Publisher.RunAsync(options).ConfigureAwait(false),
                "sub" => await Subscriber.RunAsync(options).ConfigureAwait(false),
                "tail" => await DataTail.RunAsync(options).ConfigureAwait(false),
                "ingest" => await IngestCounter.RunAsync(options).ConfigureAwait(false),
                "gen-rules" => RuleGenerator.Run(options),
                "report" => Report.Run(options),
                _ => UnknownCommand(args[0]),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    private static int UnknownCommand(string name)
    {
        Console.Error.WriteLine($"unknown command '{name}'");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
