using Npgsql;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence;

/// <summary>Small helpers that keep parameterized SQL short at the call sites.</summary>
internal static class Sql
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = DbSession.Command(connection, transaction, sql);
        foreach (var (name, value) in parameters) command.Parameters.AddValue(name, value);
        return command;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static void AddValue(this NpgsqlParameterCollection parameters, string name, object? value) =>
        parameters.AddWithValue(name, value ?? DBNull.Value);

    public static void AddJsonb(this NpgsqlParameterCollection parameters, string name, string json) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = json });

    /// <summary>Npgsql writes only UTC offsets to timestamptz; domain values may carry any offset.</summary>
    public static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();

    /// <summary>Identifiers cannot be parameters; the table names quoted here come from code, never from input.</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
