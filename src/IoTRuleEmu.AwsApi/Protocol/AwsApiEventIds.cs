namespace IoTRuleEmu.AwsApi.Protocol;

/// <summary>Log event ids of the AWS APIs library: 8000–8099 (the host uses 1000–1999, the engine/Lambda/actions 5000–7999).</summary>
internal static class AwsApiEventIds
{
    public const int RequestFailed = 8000;
    public const int ApiRuleLoaded = 8001;
    public const int ApiRuleInvalid = 8002;
    public const int ApiRuleRestored = 8003;
    public const int StateWriteFailed = 8004;
    public const int TemplateLoaded = 8005;
    public const int TemplateInvalid = 8006;
    public const int TemplateResourceSkipped = 8007;
    public const int TemplateRuleRejected = 8008;
    public const int TemplatePathMissing = 8009;
    public const int StateReadFailed = 8010;
}
