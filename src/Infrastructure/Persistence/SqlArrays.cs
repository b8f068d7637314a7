using Npgsql;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence;

/// <summary>Array parameters for set-based statements (<c>unnest(@values)</c>) that Npgsql cannot infer by itself.</summary>
internal static class SqlArrays
{
    /// <summary>A timestamptz[] with NULLs; Npgsql writes only UTC offsets, so every value is converted.</summary>
    public static NpgsqlParameter Timestamps(string name, IEnumerable<DateTimeOffset?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = values.Select(v => v is { } t ? (object)Sql.Utc(t) : DBNull.Value).ToArray() };

    public static NpgsqlParameter Jsonb(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = values.ToArray() };
}
