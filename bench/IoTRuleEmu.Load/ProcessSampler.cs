using System.Globalization;

namespace IoTRuleEmu.Load;

/// <summary>Reads a process's CPU time and memory from /proc (Linux), and the machine's CPU and load average.</summary>
internal static class ProcessSampler
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    /// <summary>User + system CPU seconds of <paramref name="pid"/>, or null when it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may contain spaces) start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>VmRSS and VmHWM (peak RSS) of <paramref name="pid"/> in MiB, or nulls when it is gone.</summary>
    public static (double? Rss, double? Peak) Memory(int pid)
    {
        try
        {
            double? rss = null, peak = null;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kb(line) / 1024.0;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kb(line) / 1024.0;
                }
            }
            return (rss, peak);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return (null, null);
        }
    }

    /// <summary>(busy, total) jiffies of all CPUs since boot, from /proc/stat.</summary>
    public static (long Busy, long Total) MachineCpu()
    {
        var first = File.ReadLines("/proc/stat").First();
        var parts = first.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long total = 0, idle = 0;
        for (var i = 1; i < parts.Length && i <= 8; i++)
        {
            var v = long.Parse(parts[i], CultureInfo.InvariantCulture);
            total += v;
            if (i is 4 or 5)
            {
                idle += v; // idle + iowait
            }
        }
        return (total - idle, total);
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    private static long Kb(string line) =>
        long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);
}

/// <summary>Samples one process while a measurement runs: CPU between <see cref="Start"/> and <see cref="Stop"/>, peak RSS.</summary>
internal sealed class ProcessWatch
{
    private readonly int? _pid;
    private double? _cpuStart;
    private double? _cpuEnd;
    private (long Busy, long Total) _machineStart;
    private (long Busy, long Total) _machineEnd;
    private double _maxRss;
    private double? _peak;
    private double? _rssStart;

    public ProcessWatch(int? pid) => _pid = pid;

    public void Start()
    {
        _machineStart = ProcessSampler.MachineCpu();
        if (_pid is { } pid)
        {
            _cpuStart = ProcessSampler.CpuSeconds(pid);
            _rssStart = ProcessSampler.Memory(pid).Rss;
        }
    }

    public void Sample()
    {
        if (_pid is { } pid && ProcessSampler.Memory(pid).Rss is { } rss)
        {
            _maxRss = Math.Max(_maxRss, rss);
        }
    }

    public void Stop()
    {
        _machineEnd = ProcessSampler.MachineCpu();
        if (_pid is { } pid)
        {
            _cpuEnd = ProcessSampler.CpuSeconds(pid);
            var (rss, peak) = ProcessSampler.Memory(pid);
            _peak = peak;
            if (rss is { } r)
            {
                _maxRss = Math.Max(_maxRss, r);
            }
        }
    }

    public void Write(ResultWriter w, double seconds)
    {
        if (_pid is { } pid)
        {
            w.Number("pid", pid);
            if (_cpuStart is { } a && _cpuEnd is { } b)
            {
                w.Number("serverCpuSeconds", b - a);
                w.Number("serverCores", seconds > 0 ? (b - a) / seconds : 0);
            }
            w.Number("serverRssStartMiB", _rssStart);
            w.Number("serverRssMaxSampledMiB", _maxRss);
            w.Number("serverPeakRssMiB", _peak);
        }
        var busy = _machineEnd.Busy - _machineStart.Busy;
        var total = _machineEnd.Total - _machineStart.Total;
        w.Number("machineCpuBusy", total > 0 ? (double)busy / total : 0);
    }
}
