using System.Diagnostics;
using Shouldly;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>
/// The Workers host as its own process (the build output of src/Workers), configured through the
/// environment with the system's settings, so that a test can kill it for real.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    /// <param name="settings">Settings for this process only, over the system's.</param>
    /// <param name="readyWhen">
    /// A query over <c>pg_stat_activity</c> rows of this process (<c>@name</c> is its application
    /// name) that counts more than 0 once it is ready; by default, once it has a connection.
    /// </param>
    public static async Task<WorkerProcess> StartAsync(TestSystem system, IDictionary<string, string?>? settings = null, string? readyWhen = null)
    {
        var start = new ProcessStartInfo("dotnet", [TestEnvironment.WorkersAssembly()])
        {
            WorkingDirectory = Path.GetDirectoryName(TestEnvironment.WorkersAssembly())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var configuration = system.Configuration();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        var name = "workers-" + Guid.NewGuid().ToString("N")[..8];
        configuration["ConnectionStrings:Postgres"] += ";Application Name=" + name;
        foreach (var (key, value) in configuration) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var query = "select count(*) from pg_stat_activity where application_name = @name" + (readyWhen is null ? "" : " and " + readyWhen);
        await Eventually.HoldsAsync(async () => process.HasExited || await system.ScalarAsync<long>(query, ("name", name)) > 0,
            TimeSpan.FromSeconds(30), "the Workers process is ready");
        process.HasExited.ShouldBeFalse($"the Workers process exited with code {(process.HasExited ? process.ExitCode : 0)}");
        return new WorkerProcess(process);
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to the consumer groups, nothing flushed or committed.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            ProcessRunner.Signal(_process.Id);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
        }
        _process.Dispose();
    }
}
