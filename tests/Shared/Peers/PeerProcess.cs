using System.Diagnostics;

namespace IoTRuleEmu.Testing;

/// <summary>A peer process for a test (HTTP server, moto_server …): started, read, and killed when disposed.</summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process) => _process = process;

    /// <summary>The folder holding the peer scripts (copied next to the test assembly).</summary>
    public static string PeersDirectory => Path.Combine(AppContext.BaseDirectory, "Peers");

    public static string Peer(string name) => Path.Combine(PeersDirectory, name);

    /// <summary>Starts <paramref name="fileName"/> and returns it with the first line it prints (e.g. its port).</summary>
    public static async Task<(PeerProcess Peer, string FirstLine)> StartAsync(string fileName, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start " + fileName);
        var peer = new PeerProcess(process);
        var line = await process.StandardOutput.ReadLineAsync(cancellationToken)
            ?? throw new InvalidOperationException($"{fileName} exited: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
        return (peer, line.Trim());
    }

    /// <summary>Starts a long-running process whose output is not read (e.g. moto_server).</summary>
    public static PeerProcess Start(string fileName, params string[] args)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = false, RedirectStandardError = false, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return new PeerProcess(Process.Start(start) ?? throw new InvalidOperationException("Cannot start " + fileName));
    }

    /// <summary>A TCP port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <paramref name="url"/> until it answers (bounded by <paramref name="cancellationToken"/>).</summary>
    public static async Task WaitForHttpAsync(string url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
