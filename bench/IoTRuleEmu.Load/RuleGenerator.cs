namespace IoTRuleEmu.Load;

/// <summary>
/// <c>gen-rules</c>: R rule files for the emulator, rule i = <c>SELECT * FROM '&lt;prefix&gt;/i/+'</c> with one Lambda action,
/// so each published message (topic <c>&lt;prefix&gt;/&lt;seq % R&gt;/d&lt;conn&gt;</c>) matches exactly one rule; and the
/// functions file defining that function with behaviour <c>succeed</c>.
/// </summary>
internal static class RuleGenerator
{
    public static int Run(ArgList args)
    {
        var dir = args.Required("dir");
        var count = args.Int("count", 100, 0, 1_000_000);
        var prefix = args.String("prefix", "bench");
        var function = args.String("function", "bench_succeed");
        var region = args.String("region", "us-east-1");
        var account = args.String("account-id", "123456789012");
        var functionsFile = args.OptionalString("functions-file");

        Directory.CreateDirectory(dir);
        foreach (var old in Directory.EnumerateFiles(dir, "bench_*.json"))
        {
            File.Delete(old);
        }
        var arn = $"arn:aws:lambda:{region}:{account}:function:{function}";
        for (var i = 0; i < count; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"bench_{i:D6}.json"),
                $$$"""{"sql":"SELECT * FROM '{{{prefix}}}/{{{i}}}/+'","actions":[{"lambda":{"functionArn":"{{{arn}}}"}}],"ruleDisabled":false,"awsIotSqlVersion":"2016-03-23"}""" + "\n");
        }
        if (functionsFile is not null)
        {
            File.WriteAllText(functionsFile, $$$"""{"functions":[{"name":"{{{function}}}","behavior":"succeed"}]}""" + "\n");
        }
        Console.Error.WriteLine($"[gen-rules] {count} rules in {dir}");
        return 0;
    }
}
