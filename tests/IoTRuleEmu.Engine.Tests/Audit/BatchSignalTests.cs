using IoTRuleEmu.Engine.Audit;

namespace IoTRuleEmu.Engine.Tests.Audit;

public class BatchSignalTests
{
    // Long enough that a test only finishes if the signal is used as documented.
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact(Timeout = 30_000)]
    public async Task SleepingWriter_WakesOnWork_AndHurryEndsTheGathering()
    {
        using var signal = new BatchSignal(Hour);
        var queued = 0;
        var writer = Task.Factory.StartNew(() => signal.WaitForBatch(() => Volatile.Read(ref queued) > 0), TaskCreationOptions.LongRunning);

        Interlocked.Increment(ref queued);
        signal.NotifyWork();
        // Woken, it now gathers for an hour; a flush (or close) cuts that short.
        signal.Hurry();
        await writer;
        Assert.True(writer.IsCompletedSuccessfully);
    }

    [Fact(Timeout = 30_000)]
    public async Task BusyWriter_GoesOnAtOnce_UnlessItGathersWhenBusy()
    {
        using var logs = new BatchSignal(Hour);
        using var state = new BatchSignal(Hour, gatherWhenBusy: true);
        // Returns without waiting: an hour-long wait would time the test out.
        await Task.Run(() => logs.WaitForBatch(() => true));

        var gathering = Task.Factory.StartNew(() => state.WaitForBatch(() => true), TaskCreationOptions.LongRunning);
        // A negative check needs a window: the writer must still be gathering 200 ms later.
        await Task.WhenAny(gathering, Task.Delay(TimeSpan.FromMilliseconds(200)));
        Assert.False(gathering.IsCompleted, "a store with work waiting still gathers");
        state.Hurry(); // a flush: the gathering ends
        await gathering;
    }

    [Fact(Timeout = 30_000)]
    public async Task NotifyWork_BeforeTheWriterSleeps_IsNotLost()
    {
        using var signal = new BatchSignal(TimeSpan.Zero);
        for (var i = 0; i < 1_000; i++)
        {
            var queued = 0;
            var writer = Task.Factory.StartNew(() => signal.WaitForBatch(() => Volatile.Read(ref queued) > 0), TaskCreationOptions.LongRunning);
            Interlocked.Exchange(ref queued, 1);
            signal.NotifyWork();
            await writer;
        }
    }
}
