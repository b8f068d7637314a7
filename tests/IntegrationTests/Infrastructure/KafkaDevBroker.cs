using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>
/// The development Kafka broker (tools/kafka-dev-broker: librdkafka's mock cluster in its own
/// process, ADR 0003/0006) started for a test run. Clients reach it over TCP through
/// <see cref="BootstrapServers"/>; faults are injected through its control port.
/// The binary comes from <c>INTEGRATIONS_BROKER_BIN</c>, else <c>.build/bin/kafka-dev-broker</c>
/// next to Integrations.sln (built by scripts/bootstrap.sh).
/// </summary>
public sealed class KafkaDevBroker : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _directory;
    private readonly int _controlPort;
    private readonly StringBuilder _output;
    private readonly SemaphoreSlim _controlLock = new(1, 1);
    private int _disposed;

    private KafkaDevBroker(Process process, string directory, string bootstrapServers, int controlPort, StringBuilder output)
    {
        _process = process;
        _directory = directory;
        BootstrapServers = bootstrapServers;
        _controlPort = controlPort;
        _output = output;
    }

    /// <summary>Comma-separated <c>127.0.0.1:port</c> list for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    public int ControlPort => _controlPort;

    /// <summary>What the broker process printed so far (stdout and stderr).</summary>
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

    /// <summary>Starts a broker with the given topics, each as "name:partitions".</summary>
    public static async Task<KafkaDevBroker> StartAsync(params string[] topics)
    {
        var binary = LocateBinary();
        var directory = Directory.CreateTempSubdirectory("itkafka-").FullName;
        var bootstrapFile = Path.Combine(directory, "bootstrap.txt");
        var controlFile = Path.Combine(directory, "control-port.txt");

        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        psi.ArgumentList.Add("--bootstrap-file");
        psi.ArgumentList.Add(bootstrapFile);
        psi.ArgumentList.Add("--control-file");
        psi.ArgumentList.Add(controlFile);
        foreach (var topic in topics)
        {
            var separator = topic.LastIndexOf(':');
            if (separator <= 0 || !int.TryParse(topic.AsSpan(separator + 1), out var partitions) || partitions <= 0)
            {
                throw new ArgumentException($"topic '{topic}' must be given as name:partitions", nameof(topics));
            }
            psi.ArgumentList.Add("--topic");
            psi.ArgumentList.Add(topic);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        try
        {
            process.Start();
        }
        catch (Exception ex)
        {
            process.Dispose();
            ProcessRunner.TryDeleteDirectory(directory);
            throw new InvalidOperationException($"could not start the Kafka dev broker {binary}: {ex.Message}", ex);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // If the test host dies without disposing, the guard stops the broker (checking that the pid
        // still belongs to it) and removes its files.
        var pid = process.Id;
        var dir = OrphanGuard.Quote(directory);
        OrphanGuard.Watch(directory,
            $"if grep -qaF {dir} /proc/{pid}/cmdline 2>/dev/null; then kill -TERM {pid}; i=0; " +
            $"while kill -0 {pid} 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; kill -KILL {pid} 2>/dev/null; fi; rm -rf {dir}");

        try
        {
            var deadline = Stopwatch.StartNew();
            string? bootstrap = null;
            while (deadline.Elapsed < StartTimeout)
            {
                // The broker writes the control file first and the bootstrap file last (atomically).
                if (File.Exists(bootstrapFile))
                {
                    bootstrap = (await File.ReadAllTextAsync(bootstrapFile).ConfigureAwait(false)).Trim();
                    if (bootstrap.Length > 0)
                    {
                        break;
                    }
                }
                if (process.HasExited)
                {
                    process.WaitForExit();
                    lock (output)
                    {
                        throw new InvalidOperationException(
                            $"the Kafka dev broker exited with code {process.ExitCode} before it was ready:\n{output}");
                    }
                }
                await Task.Delay(25).ConfigureAwait(false);
            }
            if (string.IsNullOrEmpty(bootstrap))
            {
                lock (output)
                {
                    throw new TimeoutException($"the Kafka dev broker was not ready within {StartTimeout.TotalSeconds:0} s:\n{output}");
                }
            }
            var controlPort = int.Parse((await File.ReadAllTextAsync(controlFile).ConfigureAwait(false)).Trim(),
                System.Globalization.CultureInfo.InvariantCulture);
            var broker = new KafkaDevBroker(process, directory, bootstrap, controlPort, output);
            await broker.SendAsync("ping").ConfigureAwait(false);
            return broker;
        }
        catch
        {
            await ProcessRunner.StopAsync(process, StopTimeout).ConfigureAwait(false);
            process.Dispose();
            ProcessRunner.TryDeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>All brokers refuse connections until <see cref="SetUpAsync"/>.</summary>
    public Task SetDownAsync() => SendAsync("down");

    public Task SetUpAsync() => SendAsync("up");

    /// <summary>Adds <paramref name="milliseconds"/> of round-trip time on every broker (0 removes it).</summary>
    public Task SetRttAsync(int milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        return SendAsync($"rtt {milliseconds}");
    }

    /// <summary>
    /// The next <paramref name="count"/> requests of Kafka API <paramref name="apiKey"/> (0 Produce, 1 Fetch, 8 OffsetCommit …)
    /// fail with the Kafka error <paramref name="errorCode"/> (librdkafka's rd_kafka_mock_push_request_errors).
    /// </summary>
    public Task PushRequestErrorsAsync(short apiKey, int count, int errorCode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(apiKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return SendAsync($"errors {apiKey} {count} {errorCode}");
    }

    /// <summary>Creates a topic (the mock cluster does not support the CreateTopics API); existing topics are fine.</summary>
    public Task CreateTopicAsync(string name, int partitions)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace) || name.Length > 249)
        {
            throw new ArgumentException($"invalid topic name '{name}'", nameof(name));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        return SendAsync($"topic {name} {partitions}");
    }

    private async Task SendAsync(string command)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        // One command per connection; the broker serves connections one at a time.
        await _controlLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var cts = new CancellationTokenSource(ControlTimeout);
            using var client = new TcpClient();
            string reply;
            try
            {
                await client.ConnectAsync("127.0.0.1", _controlPort, cts.Token).ConfigureAwait(false);
                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"), cts.Token).ConfigureAwait(false);
                using var reader = new StreamReader(stream, Encoding.ASCII);
                reply = (await reader.ReadToEndAsync(cts.Token).ConfigureAwait(false)).Trim();
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                throw new InvalidOperationException(
                    $"Kafka dev broker control command '{command}' failed on port {_controlPort}: {ex.Message}\n{Output}", ex);
            }
            if (reply != "ok")
            {
                throw new InvalidOperationException($"Kafka dev broker control command '{command}' answered '{reply}'");
            }
        }
        finally
        {
            _controlLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // If the process exits mid-stop, the guard finishes the cleanup: it only stands down once
        // the directory is gone.
        await ProcessRunner.StopAsync(_process, StopTimeout).ConfigureAwait(false);
        _process.Dispose();
        _controlLock.Dispose();
        ProcessRunner.TryDeleteDirectory(_directory);
    }

    private static string LocateBinary()
    {
        var fromEnv = Environment.GetEnvironmentVariable("INTEGRATIONS_BROKER_BIN");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(fromEnv)
                ? fromEnv
                : throw new InvalidOperationException($"INTEGRATIONS_BROKER_BIN={fromEnv} does not exist (run scripts/bootstrap.sh)");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Integrations.sln")))
            {
                var candidate = Path.Combine(dir.FullName, ".build", "bin", "kafka-dev-broker");
                return File.Exists(candidate)
                    ? candidate
                    : throw new InvalidOperationException($"{candidate} does not exist: run scripts/bootstrap.sh first");
            }
        }
        throw new InvalidOperationException(
            $"the Kafka dev broker was not found: set INTEGRATIONS_BROKER_BIN or run the tests from inside the repository (searched up from {AppContext.BaseDirectory})");
    }
}
