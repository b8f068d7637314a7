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
/// e.g. Exact Online's 60 a minute and 5,000 a day per company) counted in PostgreSQL, so they hold
/// however many Workers processes call: one call takes one unit of every quota that applies to it, all
/// or none, in fixed windows (<see cref="Quota.WindowOf"/>) as providers count them.
/// </summary>
public sealed class QuotaCounters(NpgsqlDataSource dataSource, IClock clock)
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);
    private long _lastPrune;

    /// <returns>Null when the call may go (its units are taken), else until when it must wait.</returns>
    public async Task<QuotaExhausted?> TryTakeAsync(Guid connectionId, ProviderDefinition provider, CancellationToken ct)
    {
        var limits = provider.Limits;
        if (limits.QuotasPerConnection.Count == 0 && limits.QuotasPerProvider.Count == 0) return null;
        var now = clock.UtcNow;
        var quotas = limits.QuotasPerConnection.Select(q => (Scope: $"connection:{connectionId}", Quota: q, ProviderWide: false))
            .Concat(limits.QuotasPerProvider.Select(q => (Scope: $"provider:{provider.Id}", Quota: q, ProviderWide: true)))
            .ToList();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
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
        if (full.Count > 0)
        {
            // All or none: the units of the quotas that had room go back with the transaction.
            await transaction.RollbackAsync(ct);
            var latest = full.MaxBy(q => q.Quota.WindowOf(now).End);
            return new QuotaExhausted(latest.Quota.WindowOf(now).End, latest.ProviderWide);
        }
        await transaction.CommitAsync(ct);
        await PruneAsync(now, ct);
        return null;
    }

    /// <summary>Now and then, windows that ended a day ago go.</summary>
    private async Task PruneAsync(DateTimeOffset now, CancellationToken ct)
    {
        var last = Interlocked.Read(ref _lastPrune);
        if (now.UtcTicks - last < PruneEvery.Ticks || Interlocked.CompareExchange(ref _lastPrune, now.UtcTicks, last) != last) return;
        await using var command = dataSource.CreateCommand(
            "delete from connector_quota_usage where window_start + make_interval(secs => period_seconds) < now() - interval '1 day'");
        await command.ExecuteNonQueryAsync(ct);
    }
}
