using System.Net;
using System.Net.Sockets;

namespace Integrations.Bench;

/// <summary>What the benchmarks read about their processes from /proc (Linux), and a free loopback port.</summary>
public static class ProcFs
{
    public static IReadOnlyList<int> AllPids() =>
        Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid => pid > 0).ToList();

    /// <summary>The PostgreSQL postmaster and its children (backends, background workers).</summary>
    public static IReadOnlyList<int> PostgresPids(string dataDirectory)
    {
        var all = AllPids();
        // The postmaster is the only "postgres" process whose command line names the data directory (backends rewrite theirs).
        var postmaster = all.FirstOrDefault(pid => Read($"/proc/{pid}/comm")?.Trim() == "postgres"
                                                   && Read($"/proc/{pid}/cmdline")?.Contains(dataDirectory, StringComparison.Ordinal) == true);
        return postmaster == 0 ? [] : [postmaster, .. all.Where(pid => ParentOf(pid) == postmaster)];
    }

    /// <summary>The first child of this process whose command line contains <paramref name="name"/>, or 0.</summary>
    public static int ChildPid(string name) =>
        AllPids().FirstOrDefault(pid => Read($"/proc/{pid}/cmdline")?.Contains(name, StringComparison.Ordinal) == true && ParentOf(pid) == Environment.ProcessId);

    public static int ParentOf(int pid) => Stat(pid) is { } f ? int.Parse(f[1]) : 0;

    /// <summary>CPU seconds (user + system); with children, also those of exited children. Clock ticks are 1/100 s on Linux (sysconf(_SC_CLK_TCK)).</summary>
    public static double CpuSeconds(int pid, bool withChildren) => Stat(pid) is { } f
        ? (long.Parse(f[11]) + long.Parse(f[12]) + (withChildren ? long.Parse(f[13]) + long.Parse(f[14]) : 0)) / 100.0
        : 0;

    /// <summary>Proportional set size in MiB: shared pages count once across the processes that share them.</summary>
    public static double PssMiB(int pid)
    {
        var line = Read($"/proc/{pid}/smaps_rollup")?.Split('\n').FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Fields of /proc/PID/stat after the command name (which may contain spaces): [0] state, [1] ppid, [11] utime, [12] stime, [13]/[14] exited children's.</summary>
    private static string[]? Stat(int pid) => Read($"/proc/{pid}/stat") is { } stat ? stat[(stat.LastIndexOf(')') + 2)..].Split(' ') : null;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
