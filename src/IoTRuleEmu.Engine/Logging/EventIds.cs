namespace IoTRuleEmu.Engine.Logging;

/// <summary>
/// Every log event id of the engine, Lambda and action libraries, in one table so ids never collide or change.
/// 5000–5099 dispatch, 5100–5199 rule configuration, 6000–6099 Lambda, 6100–6149 CloudTrail and invocation logs,
/// 7000–7099 actions, 7900–7999 audit writers. (The host uses 1000–1999.)
/// </summary>
public static class EventIds
{
    // Dispatch
    public const int RuleMatched = 5000;
    public const int SqlResult = 5001;
    public const int SqlNotMatched = 5002;
    public const int SqlFailed = 5003;
    public const int ActionDispatched = 5004;
    public const int ActionSucceeded = 5005;
    public const int ActionFailed = 5006;
    public const int ActionNotEmulated = 5007;
    public const int ErrorActionRun = 5008;
    public const int ErrorActionSucceeded = 5009;
    public const int ErrorActionFailed = 5010;
    public const int NoErrorAction = 5011;
    public const int BasicIngestRuleNotFound = 5012;
    public const int RepublishDepthExceeded = 5013;
    public const int ChannelFull = 5014;
    public const int DispatchFailed = 5015;
    public const int NoRuleMatched = 5016;
    public const int DispatchStarted = 5017;

    // Rule configuration
    public const int RuleLoaded = 5100;
    public const int RuleRejected = 5101;
    public const int RuleRemoved = 5102;
    public const int ActionTypeNotEmulated = 5103;
    public const int RulesDirectoryMissing = 5104;
    public const int RulesLoaded = 5105;
    public const int RuleKeptPrevious = 5106;
    public const int RuleEnabledChanged = 5107;

    // Lambda
    public const int FunctionsLoaded = 6000;
    public const int FunctionsFileMissing = 6001;
    public const int FunctionsFileInvalid = 6002;
    public const int InvokeAccepted = 6003;
    public const int InvokeRejected = 6004;
    public const int AttemptStarted = 6005;
    public const int AttemptSucceeded = 6006;
    public const int AttemptFailed = 6007;
    public const int RetryScheduled = 6008;
    public const int EventDropped = 6009;
    public const int RunnerFailed = 6010;
    public const int PermissionMissing = 6011;
    public const int AttemptThrottled = 6012;
    public const int AttemptTimedOut = 6013;
    public const int EventAgeExceeded = 6014;
    public const int ZeroReservedConcurrency = 6015;
    public const int EventsResumed = 6016;
    public const int StateStoreFailed = 6017;
    public const int SyncInvoke = 6018;
    public const int RemoteInvoke = 6019;
    public const int RuntimeApiServing = 6020;
    public const int RuntimeApiProcessStarted = 6021;
    public const int RuntimeApiStartFailed = 6022;
    public const int FunctionOutput = 6023;
    public const int RuntimeApiInitError = 6024;
    public const int EventDeferred = 6025;
    public const int AttemptRunning = 6026;
    public const int AsyncQueueFull = 6027;
    public const int DestinationDelivered = 6030;
    public const int DestinationDeliveryFailed = 6031;
    public const int DeadLetterDelivered = 6032;
    public const int DeadLetterFailed = 6033;
    public const int ClockAdvanced = 6040;

    // CloudTrail and invocation log
    public const int CloudTrailRecord = 6100;
    public const int InvocationRecord = 6101;
    public const int DestinationRecord = 6102;

    // Actions
    public const int Republished = 7000;
    public const int RepublishFailed = 7001;

    // Audit writers
    public const int LogWriteFailed = 7900;
}
