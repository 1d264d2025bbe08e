using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(IoTRuleEmu.Benchmarks.LogLineBenchmarks).Assembly).Run(args);
