using Npgsql;

namespace Integrations.Bench.Webhooks;

/// <summary>
/// The benchmark's diagnostics (<see cref="Stages"/>, <see cref="Statements"/>,
/// <see cref="Background"/>) explain its figures; they must never cost them. On a slower 2-core
/// machine the stage analysis once ran into Npgsql's default 30 s command timeout, and the
/// unhandled exception ended the run before it printed a single figure. Each diagnostic therefore
/// runs on a connection of its own with a short command timeout, and any failure becomes
/// "n/a (reason)" in the report while the measurement goes on.
/// </summary>
public static class Diagnostics
{
    public const int TimeoutSeconds = 10;

    /// <summary>
    /// A connection for the diagnostics' queries: <see cref="TimeoutSeconds"/> to connect and per
    /// command, and no JIT compilation (it suits long analytical queries, and costs these short
    /// ones more than it saves, as for the hosts: docs/configuration.md).
    /// </summary>
    public static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = TimeoutSeconds, Timeout = TimeoutSeconds };
        if (builder.Options?.Contains("jit", StringComparison.Ordinal) != true) builder.Options = $"{builder.Options} -c jit=off".Trim();
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>What <paramref name="describe"/> says, or "n/a (reason)" when it fails in any way.</summary>
    public static async Task<string> TryAsync(Func<Task<string>> describe)
    {
        try
        {
            return await describe();
        }
        catch (Exception e)
        {
            return Unavailable(e);
        }
    }

    public static string Unavailable(Exception e) => $"n/a ({Reason(e)})";

    /// <summary>A one-line reason: "timed out after 10 s", the PostgreSQL error, or the exception's message.</summary>
    public static string Reason(Exception e)
    {
        if (e is TimeoutException || e.InnerException is TimeoutException || e is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled })
            return $"timed out after {TimeoutSeconds} s";
        var message = e is PostgresException p ? $"PostgreSQL {p.SqlState}: {p.MessageText}" : $"{e.GetType().Name}: {e.Message}";
        var firstLine = message.Split('\n', 2)[0].Trim();
        return firstLine.Length <= 200 ? firstLine : firstLine[..197] + "...";
    }
}
