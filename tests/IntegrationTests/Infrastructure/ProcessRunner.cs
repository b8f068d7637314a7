using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>The outcome of a finished command.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public string CombinedOutput => string.IsNullOrEmpty(StandardError)
        ? StandardOutput
        : $"{StandardOutput}{(StandardOutput.EndsWith('\n') || StandardOutput.Length == 0 ? "" : "\n")}{StandardError}";
}

/// <summary>Thrown when a command exits non-zero or times out; the message carries its output.</summary>
public sealed class ProcessFailedException(string message) : Exception(message);

/// <summary>
/// Runs external commands (initdb, pg_ctl, ...) for the test fixtures: arguments are passed as a
/// list (no shell, no quoting problems), output is captured, failures throw with the output.
/// </summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null,
        bool throwOnError = true,
        CancellationToken cancellationToken = default)
    {
        var args = arguments.ToList();
        var command = Describe(fileName, args);
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (workingDirectory is not null)
        {
            psi.WorkingDirectory = workingDirectory;
        }
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        using var process = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };

        try
        {
            process.Start();
        }
        catch (Exception ex)
        {
            throw new ProcessFailedException($"could not start `{command}`: {ex.Message}");
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new ProcessFailedException(
                $"`{command}` did not finish within {timeout ?? TimeSpan.FromMinutes(2)}\n{Snapshot(stdout)}{Snapshot(stderr)}");
        }
        // The parameterless wait drains the asynchronous output readers.
        process.WaitForExit();

        var result = new ProcessResult(command, process.ExitCode, Snapshot(stdout), Snapshot(stderr));
        if (throwOnError && result.ExitCode != 0)
        {
            throw new ProcessFailedException($"`{command}` exited with code {result.ExitCode}\n{result.CombinedOutput}");
        }
        return result;
    }

    /// <summary>True when the test process runs as root (PostgreSQL then has to run as another user).</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Sends a signal (SIGTERM by default) to a process; false if it no longer exists.</summary>
    public static bool Signal(int pid, int signal = SigTerm) => NativeMethods.kill(pid, signal) == 0;

    public const int SigTerm = 15;

    /// <summary>Stops a long-running process: SIGTERM, then a kill of its tree if it is not gone within <paramref name="grace"/>.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }
            Signal(process.Id, SigTerm);
            using var cts = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Removes a fixture's directory; what cannot be removed stays (the orphan guard or the OS cleans up).</summary>
    public static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of a text file, or a note why there are none.</summary>
    public static string Tail(string path, int lines = 40)
    {
        try
        {
            if (!File.Exists(path))
            {
                return $"({path} does not exist)";
            }
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (Exception ex)
        {
            return $"(could not read {path}: {ex.Message})";
        }
    }

    private static string Snapshot(StringBuilder sb)
    {
        lock (sb)
        {
            return sb.ToString();
        }
    }

    private static string Describe(string fileName, IReadOnlyList<string> args) =>
        string.Join(' ', new[] { fileName }.Concat(args).Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"'{a}'" : a));

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int kill(int pid, int sig);
    }
}

/// <summary>
/// A tiny detached shell process that waits for the test process to disappear and then runs a
/// cleanup command. It covers what <c>DisposeAsync</c> cannot: a test host killed by a timeout or a
/// crash would otherwise leave a PostgreSQL server (daemonised by pg_ctl) or a broker running.
/// The guard is double-forked into its own session, so killing the test host's process tree or
/// process group does not take the guard with it. It watches a directory that the fixture deletes
/// on normal disposal: once the directory is gone, the guard exits without doing anything.
/// </summary>
public static class OrphanGuard
{
    public static void Watch(string directory, string cleanupShellCommand)
    {
        var dir = Quote(directory);
        var script =
            $"while kill -0 {Environment.ProcessId} 2>/dev/null && [ -d {dir} ]; do sleep 1; done; " +
            $"if [ -d {dir} ]; then {cleanupShellCommand}; fi";
        var psi = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (File.Exists("/usr/bin/setsid"))
        {
            // setsid --fork: the guard runs in a new session, child of init once setsid returns.
            psi.FileName = "/usr/bin/setsid";
            psi.ArgumentList.Add("--fork");
            psi.ArgumentList.Add("/bin/sh");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"exec </dev/null >/dev/null 2>&1; {script}");
        }
        else
        {
            // Portable double fork: the inner shell is orphaned as soon as the outer one exits.
            psi.FileName = "/bin/sh";
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"( {script} ) </dev/null >/dev/null 2>&1 &");
        }
        try
        {
            using var launcher = Process.Start(psi);
            if (launcher is null)
            {
                return;
            }
            launcher.StandardInput.Close();
            launcher.WaitForExit(5000);
        }
        catch (Exception)
        {
            // Best effort: normal disposal still cleans up.
        }
    }

    /// <summary>Single-quotes a value for /bin/sh.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
