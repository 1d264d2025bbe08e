using System.Collections.Frozen;

namespace IoTRuleEmu.Engine.Configuration;

/// <summary>
/// The members of the AWS IoT Action union and the name each has in an error action's <c>failures[].failedAction</c>.
/// Names marked as documented come from AWS; the others follow the same pattern (iot-sql.md §8.2).
/// </summary>
public static class ActionKinds
{
    public const string Lambda = "lambda";
    public const string Republish = "republish";

    private static readonly FrozenDictionary<string, string> s_failureNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["lambda"] = "LambdaAction",          // documented
        ["republish"] = "RepublishAction",    // documented (log ruleAction)
        ["s3"] = "S3Action",                  // documented
        ["http"] = "HttpAction",              // documented
        ["dynamoDB"] = "DynamoAction",        // documented (log ruleAction)
        ["dynamoDBv2"] = "DynamoActionVS",
        ["sns"] = "SnsAction",
        ["sqs"] = "SqsAction",
        ["kinesis"] = "KinesisAction",
        ["firehose"] = "FirehoseAction",
        ["cloudwatchMetric"] = "CloudwatchMetricAction",
        ["cloudwatchAlarm"] = "CloudwatchAlarmAction",
        ["cloudwatchLogs"] = "CloudwatchLogsAction",
        ["elasticsearch"] = "ElasticsearchAction",
        ["openSearch"] = "OpenSearchAction",
        ["salesforce"] = "SalesforceAction",
        ["iotAnalytics"] = "IotAnalyticsAction",
        ["iotEvents"] = "IotEventsAction",
        ["iotSiteWise"] = "IotSiteWiseAction",
        ["stepFunctions"] = "StepFunctionsAction",
        ["timestream"] = "TimestreamAction",
        ["kafka"] = "KafkaAction",
        ["location"] = "LocationAction",
        ["influxDB"] = "InfluxDBAction",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every action key AWS accepts in an Action object.</summary>
    public static IEnumerable<string> All => s_failureNames.Keys;

    public static bool IsKnown(string key) => s_failureNames.ContainsKey(key);

    /// <summary>The <c>failedAction</c> name for <paramref name="key"/>, e.g. <c>LambdaAction</c>.</summary>
    public static string FailureName(string key) =>
        s_failureNames.TryGetValue(key, out var name) ? name : char.ToUpperInvariant(key[0]) + key[1..] + "Action";
}
