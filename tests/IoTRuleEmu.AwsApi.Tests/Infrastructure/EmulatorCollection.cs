namespace IoTRuleEmu.AwsApi.Tests.Infrastructure;

/// <summary>One emulator shared by the CLI and boto3 tests; the collection runs its tests one at a time (2-core machine).</summary>
public sealed class SharedEmulator : IAsyncLifetime
{
    public ApiEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync() => Emulator = await ApiEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        await Emulator.DisposeAsync();
        Emulator.DeleteFiles();
    }
}

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<SharedEmulator>
{
    public const string Name = "emulator";
}
