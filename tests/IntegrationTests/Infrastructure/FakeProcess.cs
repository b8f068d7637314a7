using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>
/// A fake of an external system (tests/Fakes/&lt;name&gt;) running as a process of its own, like
/// PostgreSQL and the broker (ADR 0006): started from its build output on a random loopback port,
/// ready once it printed its <c>FAKE_READY {json}</c> line, stopped on dispose. Its output is kept in
/// <see cref="Output"/> and in a log file beside the test binaries (<see cref="LogFile"/>) for failures.
/// </summary>
public sealed class FakeProcess : IAsyncDisposable
{
    private const string ReadyPrefix = "FAKE_READY ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output;
    private int _disposed;
    private bool _exited;

    private FakeProcess(Process process, string directory, StringBuilder output, JsonElement ready, string logFile)
    {
        _process = process;
        _directory = directory;
        _output = output;
        Ready = ready;
        LogFile = logFile;
        BaseAddress = new Uri(ready.GetProperty("base_url").GetString()!);
        Control = new FakeControl(CreateClient());
    }

    /// <summary>The fake's ready line: <c>name</c>, <c>base_url</c>, <c>pid</c> and whatever else it announces (e.g. <c>smtp_port</c>).</summary>
    public JsonElement Ready { get; }

    public Uri BaseAddress { get; }

    /// <summary>The control API every fake has under <c>/_fake</c>.</summary>
    public FakeControl Control { get; }

    public string LogFile { get; }

    public int ProcessId => _process.Id;

    /// <summary>Whether the process has ended (after dispose: whether it had ended when it was stopped).</summary>
    public bool HasExited => Volatile.Read(ref _disposed) == 1 ? _exited : _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>An HTTP client for the fake that does not follow redirects (OAuth answers are redirects to inspect).</summary>
    public HttpClient CreateClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };

    /// <summary>The build output of tests/Fakes/<paramref name="name"/>, next to the test binaries' configuration, framework and runtime.</summary>
    public static string AssemblyPath(string name)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (rid, framework, configuration) = (output.Name, output.Parent!.Name, output.Parent.Parent!.Name);
        var path = Path.Combine(TestEnvironment.RepositoryRoot(), "tests", "Fakes", name, "bin", configuration, framework, rid, $"Integrations.Fakes.{name}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build tests/Fakes/{name} first: {path} is missing.");
    }

    /// <summary>Starts tests/Fakes/<paramref name="name"/> with configuration arguments such as <c>--OAuth:RefreshTokens=Rotating</c>.</summary>
    public static async Task<FakeProcess> StartAsync(string name, params string[] arguments)
    {
        var assembly = AssemblyPath(name);
        var directory = Directory.CreateTempSubdirectory($"itfake-{name}-").FullName;
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        psi.ArgumentList.Add(assembly);
        psi.ArgumentList.Add("--urls=http://127.0.0.1:0");
        // Names the directory on the command line, so the orphan guard knows the process is still ours.
        psi.ArgumentList.Add($"--Fake:Directory={directory}");
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }
        psi.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.StartsWith(ReadyPrefix, StringComparison.Ordinal)) ready.TrySetResult(e.Data[ReadyPrefix.Length..]);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"the {name} fake exited before it was ready"));
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var pid = process.Id;
        var dir = OrphanGuard.Quote(directory);
        OrphanGuard.Watch(directory,
            $"if grep -qaF {dir} /proc/{pid}/cmdline 2>/dev/null; then kill -TERM {pid}; sleep 2; kill -KILL {pid} 2>/dev/null; fi; rm -rf {dir}");

        var logFile = Path.Combine(AppContext.BaseDirectory, "fake-logs", $"{name}-{pid}.log");
        try
        {
            var line = await ready.Task.WaitAsync(StartTimeout);
            return new FakeProcess(process, directory, output, JsonDocument.Parse(line).RootElement.Clone(), logFile);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or JsonException)
        {
            await ProcessRunner.StopAsync(process, StopTimeout);
            process.Dispose();
            ProcessRunner.TryDeleteDirectory(directory);
            lock (output)
            {
                throw new InvalidOperationException($"the {name} fake did not start ({ex.Message}):\n{output}", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await ProcessRunner.StopAsync(_process, StopTimeout);
        _exited = _process.HasExited;
        _process.Dispose();
        ProcessRunner.TryDeleteDirectory(_directory);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
            await File.WriteAllTextAsync(LogFile, Output);
        }
        catch (IOException)
        {
            // The log is a convenience; Output had it too.
        }
    }
}
