using System.Diagnostics;
using System.Text;

namespace IoTRuleEmu.Tests.ProcessLevel;

/// <summary>
/// The commands of CONTRACT.md and the README are <c>dotnet run --project src/IoTRuleEmu -- ...</c> from the
/// repository root, with relative paths: they must resolve against the folder the command runs in.
/// </summary>
public sealed class DotnetRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("iotruleemu-run-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task DotnetRun_ResolvesRelativePathsAgainstTheCallersFolder()
    {
        await File.WriteAllTextAsync(Path.Combine(_root, "cases.jsonl"),
            """{"id":"cwd","sql":"SELECT topic() AS t FROM 'x/y'","topic":"x/y","payload":"{}"}""" + "\n");
        var project = Path.Combine(RepositoryRoot(), "src", "IoTRuleEmu", "IoTRuleEmu.csproj");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["run", "--no-build", "-c", configuration, "--project", project, "--", "eval", "--cases", "cases.jsonl"])
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        Assert.Equal("""{"id":"cwd","matched":true,"payload":"{\"t\":\"x/y\"}"}""", (await stdout).Trim());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IoTRuleEmu.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("IoTRuleEmu.sln not found above " + AppContext.BaseDirectory);
    }
}
