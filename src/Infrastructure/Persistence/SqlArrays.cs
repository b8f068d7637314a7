using Npgsql;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence;

/// <summary>Array parameters for set-based statements (<c>unnest(@values)</c>) that Npgsql cannot infer by itself.</summary>
internal static class SqlArrays
{
    /// <summary>A timestamptz[] with NULLs; Npgsql writes only UTC offsets, so every value is converted.</summary>
    public static NpgsqlParameter Timestamps(string name, IEnumerable<DateTimeOffset?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = values.Select(v => v is { } t ? (object)Sql.Utc(t) : DBNull.Value).ToArray() };

    /// <summary>json[] keeps each text as given (jsonb would normalise it).</summary>
    public static NpgsqlParameter Json(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Json) { Value = values.ToArray() };

    public static NpgsqlParameter Jsonb(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = values.ToArray() };
}
