namespace IoTRuleEmu.Engine;

/// <summary>Static settings of the rules engine. Plain mutable options class; bind or configure it through <c>IOptions</c>.</summary>
public sealed class RuleEngineOptions
{
    /// <summary>Region used in every ARN. Defaults to <c>us-east-1</c>.</summary>
    public string Region { get; set; } = AwsArns.DefaultRegion;

    /// <summary>Account used in every ARN and returned by <c>accountid()</c>. Defaults to <c>123456789012</c>.</summary>
    public string AccountId { get; set; } = AwsArns.DefaultAccountId;

    /// <summary>Folder for state and logs (<c>cloudtrail.jsonl</c>, <c>invocations.jsonl</c>). Defaults to <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// Rules folder loaded when the engine starts (<c>&lt;dir&gt;/&lt;ruleName&gt;.json</c>). Null (the default): the host
    /// loads rules itself through <see cref="Model.IRuleStore"/>.
    /// </summary>
    public string? RulesDirectory { get; set; }

    /// <summary>
    /// Capacity of the bounded inbound message channel; when it is full, publishers wait (MQTT back-pressure). Defaults
    /// to 1,000: a bigger buffer only added latency and memory under a flood of QoS 0 messages (bench/run.sh).
    /// </summary>
    public int ChannelCapacity { get; set; } = 1_000;

    /// <summary>Number of dispatch workers that read the channel and evaluate rules. Defaults to 2.</summary>
    public int WorkerCount { get; set; } = 2;

    /// <summary>Most rule executions (a rule's actions for one message) running at once; a worker waits for a free slot. Defaults to 1024.</summary>
    public int MaxConcurrentRuleExecutions { get; set; } = 1024;

    /// <summary>
    /// Loop guard: a message republished by a rule carries depth 1, a message republished from that one depth 2, and so on.
    /// Messages deeper than this are not evaluated (logged). Defaults to 8.
    /// </summary>
    public int MaxRepublishDepth { get; set; } = 8;
}
