using System.Text;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Listing;

/// <summary>How one read model's table answers list queries: the list's field names as SQL expressions.</summary>
public sealed class KeysetTable
{
    /// <summary>The table (or a fixed join) the rows come from.</summary>
    public required string From { get; init; }

    /// <summary>The unique id column: the tie-breaker of every order, so positions are total.</summary>
    public required string IdColumn { get; init; }

    /// <summary>List field name → SQL expression, for every field the list filters or sorts on.</summary>
    public required IReadOnlyDictionary<string, string> Columns { get; init; }
}

/// <summary>
/// Keyset pagination in parameterized SQL (docs/api/conventions.md). The query orders by the sort
/// keys plus the id, starts strictly after (or before) the cursor's row and fetches one row more
/// than the page to learn whether more exist. Its cost depends on the page size, not on the depth,
/// when an index covers scope + sort keys + id. Only code-defined fragments (column expressions,
/// operators, directions) are spliced into the SQL; every value is a parameter.
/// </summary>
public static class KeysetQuery
{
    public static async Task<CursorPage<T>> ReadPageAsync<T>(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        KeysetTable table,
        string selectList,
        IReadOnlyList<(string Column, object Value)> scope,
        ListQuery query,
        Func<NpgsqlDataReader, T> read,
        CancellationToken ct)
    {
        // A list is planned for its values: which filters, how selective they are for this tenant
        // and how many rows it takes decide the best plan, where the platform's fixed statements
        // keep one plan per connection (WithPerformanceDefaults). SET LOCAL needs a transaction:
        // outside one the list gets its own, which ends with the list and so takes the setting with it.
        await using var own = transaction is null ? await connection.BeginTransactionAsync(ct) : null;
        var list = new NpgsqlBatchCommand();
        list.CommandText = Sql(list.Parameters, table, selectList, scope, query);
        await using var batch = new NpgsqlBatch(connection, transaction ?? own) { BatchCommands = { new NpgsqlBatchCommand(PlanForValues), list } };
        var rows = new List<(T Item, object[] Keys, Guid Id)>();
        // The SET returns no rows, so the reader starts at the list's.
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            var first = reader.FieldCount - query.Sort.Count - 1;
            while (await reader.ReadAsync(ct))
            {
                var keys = new object[query.Sort.Count];
                for (var i = 0; i < keys.Length; i++) keys[i] = Normalise(reader.GetValue(first + i));
                rows.Add((read(reader), keys, reader.GetGuid(first + keys.Length)));
            }
        }
        if (own is not null) await own.CommitAsync(ct);
        return ToPage(rows, query);
    }

    /// <summary>Lists are planned per execution, for the rest of the transaction they run in.</summary>
    private const string PlanForValues = "set local plan_cache_mode = force_custom_plan";

    /// <summary>The command alone, for callers that read rows themselves (the pagination benchmark prints its plan).</summary>
    public static NpgsqlCommand Build(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        KeysetTable table,
        string selectList,
        IReadOnlyList<(string Column, object Value)> scope,
        ListQuery query)
    {
        var command = DbSession.Command(connection, transaction, "");
        command.CommandText = Sql(command.Parameters, table, selectList, scope, query);
        return command;
    }

    private static string Sql(NpgsqlParameterCollection parameters, KeysetTable table, string selectList,
        IReadOnlyList<(string Column, object Value)> scope, ListQuery query)
    {
        var conditions = new List<string>();
        for (var i = 0; i < scope.Count; i++)
        {
            conditions.Add($"{scope[i].Column} = @scope{i}");
            parameters.AddValue($"scope{i}", scope[i].Value);
        }
        for (var i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            if (filter.Operator == FilterOperator.Contains)
            {
                // The value is a literal substring: LIKE's wildcards and escape in it match themselves.
                conditions.Add($"{Column(table, filter.Field)} ilike @filter{i} escape '\\'");
                parameters.AddValue($"filter{i}", "%" + LikeLiteral((string)filter.Value) + "%");
                continue;
            }
            if (filter.Operator == FilterOperator.Includes)
            {
                conditions.Add($"{Column(table, filter.Field)} @> @filter{i}::jsonb");
                parameters.AddValue($"filter{i}", (string)filter.Value);
                continue;
            }
            var op = filter.Operator switch { FilterOperator.Equal => "=", FilterOperator.After => ">", _ => "<" };
            conditions.Add($"{Column(table, filter.Field)} {op} @filter{i}");
            parameters.AddValue($"filter{i}", Parameter(filter.Value));
        }

        var keyColumns = query.Sort.Select(k => Column(table, k.Field)).Append(table.IdColumn).ToList();
        // Travelling backwards reads the reversed order from the cursor, then flips the page.
        var backwards = query.Cursor?.Direction == PageDirection.Before;
        var descending = query.Sort.Select(k => (k.Direction == SortDirection.Desc) != backwards).ToList();
        descending.Add(descending[^1]); // the id follows the last key's direction
        if (query.Cursor is { } cursor)
        {
            var values = cursor.Values.Append(cursor.Id).ToList();
            for (var i = 0; i < values.Count; i++) parameters.AddValue($"key{i}", Parameter(values[i]));
            conditions.Add(KeysetCondition(keyColumns, descending));
        }

        var sql = new StringBuilder("select ").Append(selectList);
        for (var i = 0; i < keyColumns.Count; i++) sql.Append(", ").Append(keyColumns[i]);
        sql.Append(" from ").Append(table.From);
        if (conditions.Count > 0) sql.Append(" where ").AppendJoin(" and ", conditions);
        sql.Append(" order by ").AppendJoin(", ", keyColumns.Select((c, i) => c + (descending[i] ? " desc" : " asc")));
        sql.Append(" limit @fetch");
        parameters.AddValue("fetch", query.Limit + 1);
        return sql.ToString();
    }

    /// <summary>
    /// "Strictly beyond the cursor's row in this order". With one direction for all keys this is a
    /// row comparison, which PostgreSQL turns into a single index range; mixed directions need the
    /// expanded form (a1 > x1) or (a1 = x1 and a2 < x2) or ….
    /// </summary>
    private static string KeysetCondition(IReadOnlyList<string> columns, IReadOnlyList<bool> descending)
    {
        if (descending.All(d => d) || descending.All(d => !d))
        {
            var op = descending[0] ? "<" : ">";
            return $"({string.Join(", ", columns)}) {op} ({string.Join(", ", columns.Select((_, i) => $"@key{i}"))})";
        }
        var alternatives = new List<string>();
        for (var i = 0; i < columns.Count; i++)
        {
            var equal = Enumerable.Range(0, i).Select(j => $"{columns[j]} = @key{j}");
            alternatives.Add("(" + string.Join(" and ", equal.Append($"{columns[i]} {(descending[i] ? "<" : ">")} @key{i}")) + ")");
        }
        return "(" + string.Join(" or ", alternatives) + ")";
    }

    private static CursorPage<T> ToPage<T>(List<(T Item, object[] Keys, Guid Id)> rows, ListQuery query)
    {
        var hasExtra = rows.Count > query.Limit;
        var page = rows.Take(query.Limit).ToList();
        var direction = query.Cursor?.Direction;
        if (direction == PageDirection.Before) page.Reverse();

        // A cursor names a row that existed, so whatever lies on its far side is known to exist.
        var (laterExist, earlierExist) = direction switch
        {
            null => (hasExtra, false),
            PageDirection.After => (hasExtra, page.Count > 0),
            _ => (page.Count > 0, hasExtra),
        };
        var next = laterExist && page.Count > 0 ? new ListCursor(PageDirection.After, page[^1].Keys, page[^1].Id, query.Binding).Encode() : null;
        var previous = earlierExist && page.Count > 0 ? new ListCursor(PageDirection.Before, page[0].Keys, page[0].Id, query.Binding).Encode() : null;
        return new CursorPage<T>(page.Select(r => r.Item).ToList(), next, previous, direction == PageDirection.Before ? earlierExist : laterExist);
    }

    private static string Column(KeysetTable table, string field) =>
        table.Columns.TryGetValue(field, out var column) ? column : throw new InvalidOperationException($"{table.From} has no column for list field '{field}'.");

    /// <summary>Npgsql writes only UTC instants to timestamptz.</summary>
    private static object Parameter(object value) => value is DateTimeOffset t ? t.ToUniversalTime() : value;

    private static string LikeLiteral(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    /// <summary>Key values read back as the types cursors carry: timestamps as DateTimeOffset, integers as long.</summary>
    private static object Normalise(object value) => value switch
    {
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        int i => (long)i,
        _ => value,
    };
}
