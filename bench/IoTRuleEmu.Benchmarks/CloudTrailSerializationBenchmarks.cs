using System.Text;
using BenchmarkDotNet.Attributes;
using IoTRuleEmu.Lambda.CloudTrail;
using IoTRuleEmu.Lambda.Invocations;

namespace IoTRuleEmu.Benchmarks;

/// <summary>
/// The per-message log records of a rule's Lambda action: the two CloudTrail records (<c>Invoke</c> with request
/// parameters, <c>InvokeExecution</c> without) and the invocations.jsonl line carrying the ~200-byte event.
/// </summary>
[MemoryDiagnoser]
public class CloudTrailSerializationBenchmarks
{
    private const string Account = "123456789012";
    private const string FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:bench_succeed";

    private CloudTrailRecord _invoke = null!;
    private CloudTrailRecord _execution = null!;
    private InvocationLogRecord _invocation = null!;
    private InvocationLogRecord _checkedInvocation = null!;
    private readonly CloudTrailRecordTemplates _templates = new();

    [GlobalSetup]
    public void Setup()
    {
        var time = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        var requestId = Guid.NewGuid().ToString();
        _invoke = new CloudTrailRecord
        {
            UserIdentity = CloudTrailUserIdentity.Service(CloudTrailRecord.IotService),
            EventTime = time,
            EventName = CloudTrailRecord.InvokeEventName,
            AwsRegion = "us-east-1",
            SourceIpAddress = CloudTrailRecord.IotService,
            UserAgent = CloudTrailRecord.IotService,
            RequestParameters = new InvokeRequestParameters("bench_succeed", "Event", "arn:aws:iot:us-east-1:123456789012:rule/bench_000042", Account),
            FunctionVersion = FunctionArn + ":$LATEST",
            RequestId = requestId,
            EventId = Guid.NewGuid().ToString(),
            Resources = [CloudTrailResource.Function(Account, FunctionArn)],
            RecipientAccountId = Account,
        };
        _execution = _invoke with
        {
            UserIdentity = CloudTrailUserIdentity.Service(CloudTrailRecord.LambdaEventSource),
            EventName = CloudTrailRecord.InvokeExecutionEventName,
            SourceIpAddress = CloudTrailRecord.LambdaEventSource,
            UserAgent = CloudTrailRecord.LambdaEventSource,
            RequestParameters = null,
            EventId = Guid.NewGuid().ToString(),
        };
        _invocation = new InvocationLogRecord
        {
            Time = time,
            RequestId = requestId,
            FunctionName = "bench_succeed",
            FunctionArn = FunctionArn,
            Attempt = 1,
            Event = Encoding.UTF8.GetBytes("""{"deviceId":"sensor-0001","c":1,"seq":123456,"sentUs":1795861663157488,"temperature":25.6,"humidity":60.6,"pressure":1013.25,"battery":{"voltage":3.71,"level":88},"status":"ok","location":{"lat":47.6062,"lon":-122.3321}}"""),
            Outcome = InvocationLogRecord.SuccessOutcome,
            RuleName = "bench_000042",
        };
        _checkedInvocation = _invocation with { EventIsValidJson = true };
        // What the emulator writes: the records of a shape seen before go through its template.
        if (!_templates.Serialize(_invoke).AsSpan().SequenceEqual(CloudTrailJson.Serialize(_invoke))
            || !_templates.Serialize(_execution).AsSpan().SequenceEqual(CloudTrailJson.Serialize(_execution)))
        {
            throw new InvalidOperationException("templated records differ");
        }
    }

    [Benchmark]
    public byte[] InvokeRecord() => CloudTrailJson.Serialize(_invoke);

    [Benchmark]
    public byte[] InvokeExecutionRecord() => CloudTrailJson.Serialize(_execution);

    /// <summary>The same records as the emulator writes them (CloudTrailRecordTemplates).</summary>
    [Benchmark]
    public byte[] InvokeRecordTemplated() => _templates.Serialize(_invoke);

    [Benchmark]
    public byte[] InvokeExecutionRecordTemplated() => _templates.Serialize(_execution);

    [Benchmark]
    public byte[] InvocationLogLine() => _invocation.ToJson();

    /// <summary>The line of an event Invoke has already checked (as the async queue writes it).</summary>
    [Benchmark]
    public byte[] InvocationLogLineCheckedEvent() => _checkedInvocation.ToJson();
}
