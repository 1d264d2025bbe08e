using System.Collections.Concurrent;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Xunit.Abstractions;

namespace IoTRuleEmu.Tests.Infrastructure;

/// <summary>Keeps every log event of an in-process emulator and echoes it to the test output.</summary>
public sealed class CapturingSink(ITestOutputHelper? output) : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();
    private volatile bool _echo = output is not null;

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void StopEcho() => _echo = false;

    public void Emit(LogEvent logEvent)
    {
        _events.Enqueue(logEvent);
        if (_echo)
        {
            try
            {
                output!.WriteLine(Render(logEvent));
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
                _echo = false;
            }
        }
    }

    public static string Render(LogEvent e)
    {
        var source = e.Properties.TryGetValue("SourceContext", out var s) ? s.ToString().Trim('"') : "";
        var text = $"[{e.Level.ToString()[..3].ToUpperInvariant()}] {source}: {e.RenderMessage(CultureInfo.InvariantCulture)}";
        return e.Exception is null ? text : text + Environment.NewLine + e.Exception;
    }
}
