using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using NpgsqlTypes;
using Weasel.Core;
using Weasel.Storage;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>One parameterised SQL statement with <c>@name</c> parameters, as our read models write them.</summary>
public sealed class SqlStatement(string sql)
{
    private readonly Dictionary<string, (object? Value, NpgsqlDbType? Type)> _parameters = new(StringComparer.Ordinal);

    public string Sql { get; } = sql;

    public IReadOnlyDictionary<string, (object? Value, NpgsqlDbType? Type)> Parameters => _parameters;

    public SqlStatement With(string name, object? value, NpgsqlDbType? type = null)
    {
        _parameters[name] = (value, type);
        return this;
    }

    /// <summary>A timestamptz[] with NULLs; Npgsql writes only UTC offsets, so every value is converted.</summary>
    public SqlStatement WithTimestamps(string name, IEnumerable<DateTimeOffset?> values) =>
        With(name, values.Select(v => v is { } t ? (object)t.ToUniversalTime() : DBNull.Value).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz);
}

/// <summary>
/// A <see cref="SqlStatement"/> queued into Marten's unit of work: it runs in the batch and the
/// transaction of the events it projects (the appending transaction inline, the daemon's for async
/// projections and rebuilds). Marten binds positional parameters, so each <c>@name</c> becomes one.
/// </summary>
internal sealed partial class SqlStorageOperation(SqlStatement statement) : Marten.Internal.Operations.IStorageOperation, NoDataReturnedCall
{
    // A placeholder no statement of ours contains (PostgreSQL's jsonb operators use '?').
    private const char Placeholder = '\uE000';

    public Type DocumentType => typeof(SqlStatement);

    public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, IStorageSession session)
    {
        var names = new List<string>();
        var text = ParameterName().Replace(statement.Sql, m =>
        {
            names.Add(m.Groups[1].Value);
            return Placeholder.ToString();
        });
        var parameters = builder.AppendWithParameters(text, Placeholder);
        for (var i = 0; i < names.Count; i++)
        {
            if (!statement.Parameters.TryGetValue(names[i], out var given))
                throw new InvalidOperationException($"The statement uses @{names[i]}, which was not given a value.");
            // Marten's builder types its parameters as text; ours are typed by their values unless given a type.
            parameters[i].ResetDbType();
            if (given.Type is { } type) parameters[i].NpgsqlDbType = type;
            parameters[i].Value = given.Value ?? DBNull.Value;
        }
    }

    public Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

    public OperationRole Role() => OperationRole.Other;

    // @name, not a cast (::) and not inside a string literal: our statements keep their literals free of '@'.
    [GeneratedRegex(@"(?<![@\w])@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ParameterName();
}
