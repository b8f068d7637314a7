using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Connectors;

/// <summary>A quota that has no call left in its window: nothing may go before <paramref name="Until"/>.</summary>
/// <param name="ProviderWide">The provider's quota (shared by all its connections), not the connection's own.</param>
public sealed record QuotaExhausted(DateTimeOffset Until, bool ProviderWide);

/// <summary>
/// The provider's quotas (<see cref="CallLimits.QuotasPerConnection"/> and <see cref="CallLimits.QuotasPerProvider"/>,
/// e.g. Exact Online's 60 a minute and 5,000 a day per company) and its pacing by key
/// (<see cref="CallLimits.KeySpacing"/>, Slack's message a second per channel), counted in PostgreSQL,
/// so they hold however many Workers processes call: one call takes one unit of every quota that
/// applies to it and its key's slot, all or none; quotas in fixed windows (<see cref="Quota.WindowOf"/>)
/// as providers count them.
/// </summary>
public sealed class QuotaCounters(NpgsqlDataSource dataSource, IClock clock)
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);
    private long _lastPrune;

    /// <param name="paceKey">What the call is paced by within its connection (<see cref="CallLimits.KeySpacing"/>), or null.</param>
    /// <returns>Null when the call may go (its units are taken), else until when it must wait.</returns>
    public async Task<QuotaExhausted?> TryTakeAsync(Guid connectionId, ProviderDefinition provider, string? paceKey, CancellationToken ct)
    {
        var limits = provider.Limits;
        var spacing = paceKey is null ? null : limits.KeySpacing;
        if (limits.QuotasPerConnection.Count == 0 && limits.QuotasPerProvider.Count == 0 && spacing is null) return null;
        var now = clock.UtcNow;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // All or none: units and slots taken before a refusal go back with the transaction.
        var refused = await TakeQuotasAsync(connection, transaction, connectionId, provider, now, ct)
                      ?? (spacing is { } interval ? await TakeSlotAsync(connection, transaction, $"{connectionId}:{paceKey}", interval, now, ct) : null);
        if (refused is not null)
        {
            await transaction.RollbackAsync(ct);
            return refused;
        }
        await transaction.CommitAsync(ct);
        await PruneAsync(now, ct);
        return null;
    }

    private static async Task<QuotaExhausted?> TakeQuotasAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid connectionId,
        ProviderDefinition provider, DateTimeOffset now, CancellationToken ct)
    {
        var limits = provider.Limits;
        var quotas = limits.QuotasPerConnection.Select(q => (Scope: $"connection:{connectionId}", Quota: q, ProviderWide: false))
            .Concat(limits.QuotasPerProvider.Select(q => (Scope: $"provider:{provider.Id}", Quota: q, ProviderWide: true)))
            .ToList();
        if (quotas.Count == 0) return null;
        await using var command = Sql.Command(connection, transaction, """
            insert into connector_quota_usage as q (scope, period_seconds, window_start, used)
            select scope, period_seconds, window_start, 1 from unnest(@scopes::text[], @periods::int[], @starts::timestamptz[]) as u(scope, period_seconds, window_start)
            on conflict (scope, period_seconds, window_start) do update set used = q.used + 1
            where q.used < (select l from unnest(@scopes::text[], @periods::int[], @limits::int[]) as x(s, p, l)
                            where x.s = q.scope and x.p = q.period_seconds)
            returning scope, period_seconds
            """,
            ("scopes", quotas.Select(q => q.Scope).ToArray()),
            ("periods", quotas.Select(q => (int)q.Quota.Period.TotalSeconds).ToArray()),
            ("starts", quotas.Select(q => Sql.Utc(q.Quota.WindowOf(now).Start)).ToArray()),
            ("limits", quotas.Select(q => q.Quota.Limit).ToArray()));
        var taken = new HashSet<(string, int)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) taken.Add((reader.GetString(0), reader.GetInt32(1)));
        var full = quotas.Where(q => !taken.Contains((q.Scope, (int)q.Quota.Period.TotalSeconds))).ToList();
        if (full.Count == 0) return null;
        var latest = full.MaxBy(q => q.Quota.WindowOf(now).End);
        return new QuotaExhausted(latest.Quota.WindowOf(now).End, latest.ProviderWide);
    }

    /// <summary>
    /// The key's next slot: taken when it is due (the next one is then <paramref name="spacing"/>
    /// later), else the call waits for it. Even spacing rather than a window: two calls at the end
    /// and the start of two windows would be milliseconds apart.
    /// </summary>
    private static async Task<QuotaExhausted?> TakeSlotAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string scope, TimeSpan spacing,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var take = Sql.Command(connection, transaction, """
            insert into connector_pacing as p (scope, next_at) values (@scope, @next)
            on conflict (scope) do update set next_at = excluded.next_at where p.next_at <= @now
            returning next_at
            """, ("scope", scope), ("next", Sql.Utc(now + spacing)), ("now", Sql.Utc(now)));
        if (await take.ExecuteScalarAsync(ct) is not null) return null;
        await using var next = Sql.Command(connection, transaction, "select next_at from connector_pacing where scope = @scope", ("scope", scope));
        return await next.ExecuteScalarAsync(ct) is DateTime at
            ? new QuotaExhausted(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)), false)
            : null;
    }

    /// <summary>Now and then, windows that ended a day ago go.</summary>
    private async Task PruneAsync(DateTimeOffset now, CancellationToken ct)
    {
        var last = Interlocked.Read(ref _lastPrune);
        if (now.UtcTicks - last < PruneEvery.Ticks || Interlocked.CompareExchange(ref _lastPrune, now.UtcTicks, last) != last) return;
        await using var command = dataSource.CreateCommand("""
            delete from connector_quota_usage where window_start + make_interval(secs => period_seconds) < now() - interval '1 day';
            delete from connector_pacing where next_at < now() - interval '1 day';
            """);
        await command.ExecuteNonQueryAsync(ct);
    }
}
