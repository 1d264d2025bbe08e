using BenchmarkDotNet.Attributes;
using IoTRuleEmu.Engine.Logging;
using IoTRuleEmu.Logging;
using IoTRuleEmu.Options;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

namespace IoTRuleEmu.Benchmarks;

/// <summary>
/// One per-message console line through the emulator's text logging path (<see cref="TextLineLogger"/> into the batching
/// sink, written to Stream.Null): a four-placeholder event like the engine's "SQL result" line (source-generated logging
/// with up to six parameters uses <c>LoggerMessage.Define</c>) and an eight-placeholder one like the CloudTrail line
/// (a generated struct state). The loop outruns the writer thread, so more lines wait than the sink's line pool keeps
/// and the allocations shown include arrays it had to create; under the emulator's real load the pool covers them.
/// </summary>
[MemoryDiagnoser]
public partial class LogLineBenchmarks
{
    private ILoggerFactory _factory = null!;
    private ILogger _logger = null!;
    private Utf8LogValue _record = null!;

    [GlobalSetup]
    public void Setup()
    {
        var serilog = LoggingSetup.CreateLogger(new EmulatorOptions(), writeToConsole: true, configure: null, out var sink, Stream.Null);
        _factory = new TextLineLoggerFactory(new SerilogLoggerFactory(serilog, dispose: true), sink!, TimeProvider.System);
        _logger = _factory.CreateLogger("IoTRuleEmu.Engine.Dispatch.RuleEngine");
        _record = new Utf8LogValue("""{"eventVersion":"1.11","userIdentity":{"type":"AWSService","invokedBy":"iot.amazonaws.com"},"eventTime":"2026-11-28T16:28:15Z","eventSource":"lambda.amazonaws.com","eventName":"Invoke"}"""u8.ToArray());
    }

    [GlobalCleanup]
    public void Cleanup() => _factory.Dispose();

    [Benchmark]
    public void SqlResultLine() => SqlResult(_logger, "bench_000042", "bench/42/sensor-0001", "6f1c2b9e-1c1d-4bb4-9d0e-1b2c3d4e5f60",
        """{"deviceId":"sensor-0001","c":1,"seq":12345,"temperature":21.5,"humidity":40.5,"pressure":1013.25}""");

    [Benchmark]
    public void CloudTrailLine() => CloudTrail(_logger, "lambda.amazonaws.com", "Invoke", "iot.amazonaws.com",
        "arn:aws:lambda:us-east-1:123456789012:function:bench_succeed", "6f1c2b9e-1c1d-4bb4-9d0e-1b2c3d4e5f60",
        "0d515413-1384-44bc-bf13-bf096b5c0042", "2026-11-28T16:28:15Z", _record);

    [LoggerMessage(2001, LogLevel.Information, "Rule {RuleName} SQL result for {Topic} (trace {TraceId}): {Payload}")]
    private static partial void SqlResult(ILogger logger, string ruleName, string topic, string traceId, string payload);

    [LoggerMessage(2002, LogLevel.Information,
        "CloudTrail {EventSource} {EventName} by {InvokedBy} on {FunctionArn} requestID {RequestId} eventID {CloudTrailEventId} at {EventTime}: {Record}")]
    private static partial void CloudTrail(ILogger logger, string eventSource, string eventName, string invokedBy, string functionArn,
        string requestId, string cloudTrailEventId, string eventTime, Utf8LogValue record);
}
