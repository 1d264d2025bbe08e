namespace IoTRuleEmu.Hosting;

/// <summary>
/// Start-up barriers: the broker really started (MQTTnet's StartedAsync), the rule files were loaded, and the HTTP
/// server is listening. <c>/_emulator/ready</c> answers 200 only when all three are done; tests await
/// <see cref="WhenReady"/>.
/// </summary>
public sealed class EmulatorReadiness
{
    private readonly TaskCompletionSource _broker = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _rules = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _server = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EmulatorReadiness() => WhenReady = Task.WhenAll(_broker.Task, _rules.Task, _server.Task);

    public Task WhenReady { get; }

    public bool IsReady => WhenReady.IsCompletedSuccessfully;

    public bool BrokerStarted => _broker.Task.IsCompleted;

    public bool RulesLoaded => _rules.Task.IsCompleted;

    public bool ServerStarted => _server.Task.IsCompleted;

    public void MarkBrokerStarted() => _broker.TrySetResult();

    public void MarkRulesLoaded() => _rules.TrySetResult();

    public void MarkServerStarted() => _server.TrySetResult();
}
