using IoTRuleEmu.Load;

// bench/IoTRuleEmu.Load: MQTT load generator and measurement tool. Commands: pub, sub, tail, gen-rules, report.
// Every loop in it is bounded in count and time; it only connects where it is told (bench/run.sh: loopback).
return await Cli.RunAsync(args).ConfigureAwait(false);
