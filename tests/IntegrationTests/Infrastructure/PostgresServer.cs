using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for tests (ADR 0006): initdb into a temporary directory, start on
/// a free port on 127.0.0.1 with durability switched off, remove everything on dispose. Binaries
/// come from <c>INTEGRATIONS_PG_BIN</c> (default /usr/lib/postgresql/15/bin). PostgreSQL refuses to
/// run as root, so when the tests run as root the server runs as the <c>postgres</c> user.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly string _root;
    private int _disposed;

    private readonly string _options;

    private PostgresServer(string bin, string root, int port, string options)
    {
        _bin = bin;
        _root = root;
        _options = options;
        Port = port;
    }

    public int Port { get; }

    public string DataDirectory => DataDir(_root);

    public string LogFile => LogPath(_root);

    /// <param name="settings">Extra server settings as <c>name=value</c> (the benchmark loads pg_stat_statements).</param>
    public static async Task<PostgresServer> StartAsync(IReadOnlyList<string>? settings = null)
    {
        var bin = Environment.GetEnvironmentVariable("INTEGRATIONS_PG_BIN") is { Length: > 0 } b ? b : DefaultBinDirectory;
        if (!File.Exists(Path.Combine(bin, "initdb")) || !File.Exists(Path.Combine(bin, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL binaries not found in {bin} (set INTEGRATIONS_PG_BIN, or run scripts/bootstrap.sh to install postgresql)");
        }

        // Short path: the Unix socket lives here too and socket paths are limited to 107 bytes.
        var root = Directory.CreateTempSubdirectory("itpg-").FullName;
        try
        {
            if (ProcessRunner.IsRoot)
            {
                await ProcessRunner.RunAsync("chown", [$"{ServiceUser}:{ServiceUser}", root]).ConfigureAwait(false);
            }

            await RunAsServiceUser(Path.Combine(bin, "initdb"),
                ["-D", DataDir(root), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
                root).ConfigureAwait(false);

            // If the test host dies without disposing, the guard stops the server and removes its files.
            OrphanGuard.Watch(root,
                $"{ServiceCommandPrefix()}{OrphanGuard.Quote(Path.Combine(bin, "pg_ctl"))} stop -D {OrphanGuard.Quote(DataDir(root))} -m immediate; rm -rf {OrphanGuard.Quote(root)}");

            // A free port can be taken by someone else between probing and binding: retry with another.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeTcpPort();
                var options = string.Join(' ',
                    $"-p {port}",
                    $"-k '{root}'",
                    "-c listen_addresses=127.0.0.1",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=300",
                    string.Join(' ', (settings ?? []).Select(setting => $"-c {setting}")));
                var start = await RunAsServiceUser(Path.Combine(bin, "pg_ctl"),
                    ["start", "-w", "-t", "60", "-D", DataDir(root), "-l", LogPath(root), "-o", options],
                    root, throwOnError: false).ConfigureAwait(false);
                if (start.ExitCode == 0)
                {
                    return new PostgresServer(bin, root, port, options);
                }

                var log = ProcessRunner.Tail(LogPath(root));
                var portTaken = log.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                                || log.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
                if (!portTaken || attempt >= 3)
                {
                    throw new InvalidOperationException(
                        $"PostgreSQL did not start (port {port}).\n{start.CombinedOutput}\n--- server log ({LogPath(root)}) ---\n{log}");
                }
                // Make sure a half-started postmaster is gone before retrying.
                await RunAsServiceUser(Path.Combine(bin, "pg_ctl"), ["stop", "-D", DataDir(root), "-m", "immediate"], root, throwOnError: false)
                    .ConfigureAwait(false);
            }
        }
        catch
        {
            await StopAndDeleteAsync(bin, root).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A connection string for a database on this server (user postgres, trust authentication).</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
            IncludeErrorDetail = true,
        }.ConnectionString;

    /// <summary>Creates a database (name: lower-case letters, digits, underscores) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"invalid database name '{name}': use [a-z_][a-z0-9_]{{0,62}}", nameof(name));
        }
        // No pooling: the fixture must not leave idle connections behind.
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false }.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"could not create database {name} on port {Port}: {ex.Message}\n--- server log ---\n{ProcessRunner.Tail(LogFile)}", ex);
        }
        return ConnectionString(name);
    }

    /// <summary>
    /// Stops the server as an operator's restart does (fast: open sessions are terminated, their
    /// transactions rolled back), waits <paramref name="downFor"/>, and starts it again on the same port.
    /// </summary>
    public async Task RestartAsync(TimeSpan downFor)
    {
        await RunAsServiceUser(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], _root).ConfigureAwait(false);
        await Task.Delay(downFor).ConfigureAwait(false);
        await RunAsServiceUser(Path.Combine(_bin, "pg_ctl"), ["start", "-w", "-t", "60", "-D", DataDirectory, "-l", LogFile, "-o", _options], _root).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // If the process exits mid-stop (ProcessExit has a deadline), the guard finishes the cleanup:
        // it only stands down once the directory is gone.
        await StopAndDeleteAsync(_bin, _root).ConfigureAwait(false);
    }

    private static async Task StopAndDeleteAsync(string bin, string root)
    {
        if (File.Exists(Path.Combine(DataDir(root), "postmaster.pid")))
        {
            await RunAsServiceUser(Path.Combine(bin, "pg_ctl"), ["stop", "-D", DataDir(root), "-m", "immediate", "-w", "-t", "30"], root,
                throwOnError: false).ConfigureAwait(false);
        }
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static Task<ProcessResult> RunAsServiceUser(string file, IEnumerable<string> args, string workingDirectory, bool throwOnError = true)
    {
        // The working directory must be readable by the service user (the test's own may not be).
        return ProcessRunner.IsRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", ServiceUser, "--", file, .. args], workingDirectory, timeout: CommandTimeout,
                throwOnError: throwOnError)
            : ProcessRunner.RunAsync(file, args, workingDirectory, timeout: CommandTimeout, throwOnError: throwOnError);
    }

    private static string ServiceCommandPrefix() => ProcessRunner.IsRoot ? $"runuser -u {ServiceUser} -- " : "";

    private static string DataDir(string root) => Path.Combine(root, "data");

    private static string LogPath(string root) => Path.Combine(root, "server.log");

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
