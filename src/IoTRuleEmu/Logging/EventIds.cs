namespace IoTRuleEmu.Logging;

/// <summary>Every event id the host logs, in one table so that ids never collide or change (1000-1999: host).</summary>
internal static class EventIds
{
    // Start-up and options: 1000-1049
    public const int Starting = 1000;
    public const int Started = 1001;
    public const int Stopping = 1002;
    public const int Stopped = 1003;
    public const int StartFailed = 1004;
    public const int NoRulesDirectory = 1010;
    public const int NoFunctionsFile = 1011;
    public const int Ready = 1012;
    public const int WarmedUp = 1013;
    public const int WarmUpFailed = 1014;

    // Broker: 1100-1199
    public const int BrokerStarted = 1100;
    public const int BrokerStopped = 1101;
    public const int ClientConnected = 1110;
    public const int ClientDisconnected = 1111;
    public const int ClientIdAssigned = 1112;
    public const int DisconnectOnShutdownFailed = 1113;
    public const int PayloadTooLarge = 1120;
    public const int MessageDropped = 1121;
    public const int QueuedMessageOverwritten = 1122;
    public const int EngineBackpressure = 1123;
    public const int BasicIngestReceived = 1124;
    public const int RepublishFailed = 1130;
    public const int RepublishInvalidTopic = 1131;
    public const int RepublishNotEvaluated = 1132;
    public const int EngineStopped = 1125;
    public const int MqttNetWarning = 1190;
    public const int MqttNetError = 1191;

    // Rule files: 1200-1299
    public const int RulesLoaded = 1200;
    public const int RuleFileLoaded = 1201;
    public const int RuleFileRemoved = 1202;
    public const int RuleFileRejected = 1203;
    public const int RuleWatcherError = 1204;
    public const int FunctionsReloaded = 1205;
    public const int RuleFileBusy = 1206;
    public const int FunctionsWatcherError = 1207;
}
