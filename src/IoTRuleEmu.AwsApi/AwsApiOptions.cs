namespace IoTRuleEmu.AwsApi;

/// <summary>Settings of the AWS-compatible APIs. Plain mutable options class; configure it through <c>AddAwsApis</c>.</summary>
public sealed class AwsApiOptions
{
    /// <summary>The region callers must sign for (<c>--region</c>); a credential scope naming another region is refused. Defaults to <c>us-east-1</c>.</summary>
    public string Region { get; set; } = Engine.AwsArns.DefaultRegion;

    /// <summary>Account used in every ARN (<c>--account-id</c>). Defaults to <c>123456789012</c>.</summary>
    public string AccountId { get; set; } = Engine.AwsArns.DefaultAccountId;

    /// <summary>
    /// Folder for state (<c>--data</c>): rules created through the API are kept in <c>&lt;data&gt;/api-rules/&lt;name&gt;.json</c>
    /// and Lambda policies / EventInvokeConfigs in <c>&lt;data&gt;/api-lambda.json</c>. Defaults to <c>./data</c>.
    /// </summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// CloudFormation or SAM templates (<c>--cloudformation</c>): files, or folders whose <c>*.json</c>, <c>*.yaml</c>,
    /// <c>*.yml</c> and <c>*.template</c> files are loaded. Defaults to none.
    /// </summary>
    public IList<string> CloudFormationPaths { get; } = [];

    /// <summary>Largest request body read, in bytes. Defaults to 8 MiB (Lambda's synchronous payload limit is 6 MB).</summary>
    public int MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Largest payload <c>iot-data publish</c> accepts, in bytes (AWS: 128 KB). Defaults to 131072.</summary>
    public int MaxPublishPayloadBytes { get; set; } = 128 * 1024;
}
