using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence;

/// <summary>
/// Applies the embedded SQL migrations (Persistence/Migrations/NNNN_name.sql) in order, each once,
/// under an advisory lock so several hosts starting together apply them exactly once.
/// </summary>
public sealed class DatabaseMigrator(NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger)
{
    private const long LockKey = 0x1_4e7e_9a7e; // arbitrary, fixed: "integrations migrations"

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await Exec(connection, "select pg_advisory_lock(@k)", ct, ("k", LockKey));
        try
        {
            await Exec(connection, """
                create table if not exists schema_migrations (
                    id text primary key,
                    applied_at timestamptz not null default now())
                """, ct);
            var applied = new HashSet<string>();
            await using (var read = new NpgsqlCommand("select id from schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));

            var done = new List<string>();
            foreach (var (id, sql) in Migrations())
            {
                if (applied.Contains(id)) continue;
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand(sql, connection, tx)) await cmd.ExecuteNonQueryAsync(ct);
                await using (var mark = new NpgsqlCommand("insert into schema_migrations(id) values (@id)", connection, tx))
                {
                    mark.Parameters.AddWithValue("id", id);
                    await mark.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied migration {Migration}", id);
                done.Add(id);
            }
            return done;
        }
        finally
        {
            await Exec(connection, "select pg_advisory_unlock(@k)", CancellationToken.None, ("k", LockKey));
        }
    }

    public static IEnumerable<(string Id, string Sql)> Migrations()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        const string marker = ".Persistence.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Id: n[(n.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..^4], Resource: n))
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .Select(m => (m.Id, Read(assembly, m.Resource)));
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task Exec(NpgsqlConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
