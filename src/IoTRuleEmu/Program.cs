using IoTRuleEmu.Eval;
using IoTRuleEmu.Hosting;

// `eval` evaluates SQL offline and never starts the host; everything else serves.
if (args.Length > 0 && string.Equals(args[0], "eval", StringComparison.Ordinal))
{
    using var stdout = Console.OpenStandardOutput();
    return EvalCommand.Run(args[1..], stdout, Console.Error);
}
return await EmulatorApp.RunAsync(args).ConfigureAwait(false);
