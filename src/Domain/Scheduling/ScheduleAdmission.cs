namespace Integrations.Domain.Scheduling;

/// <summary>What the concurrency bounds count a run by: its tenant, its connection and its provider (the last two when it has a connection).</summary>
public sealed record RunScope(Guid TenantId, Guid? ConnectionId, string? Provider);

/// <summary>The concurrency bounds of runs, across every Workers process (<see cref="ScheduleAdmission"/>).</summary>
public sealed record RunLimits(int Global, int PerProvider, int PerTenant, int PerConnection);

/// <summary>
/// Which due schedules may start now: in the order given (the oldest due first), as long as the
/// global, per-provider, per-tenant and per-connection counts of running runs stay within their
/// limits and this process has room. A schedule that does not fit stays due and is looked at again at
/// the next claim, so a tenant with thousands of due schedules only takes its share.
/// </summary>
public static class ScheduleAdmission
{
    public static IReadOnlyList<T> Admit<T>(IReadOnlyList<RunScope> running, IReadOnlyList<T> due, Func<T, RunScope> scopeOf, RunLimits limits, int room)
    {
        var total = running.Count;
        var byTenant = running.GroupBy(r => r.TenantId).ToDictionary(g => g.Key, g => g.Count());
        var byConnection = running.Where(r => r.ConnectionId is not null).GroupBy(r => r.ConnectionId!.Value).ToDictionary(g => g.Key, g => g.Count());
        var byProvider = running.Where(r => r.Provider is not null).GroupBy(r => r.Provider!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var admitted = new List<T>();
        foreach (var candidate in due)
        {
            if (admitted.Count >= room || total >= limits.Global) break;
            var scope = scopeOf(candidate);
            if (byTenant.GetValueOrDefault(scope.TenantId) >= limits.PerTenant) continue;
            if (scope.ConnectionId is { } connection && byConnection.GetValueOrDefault(connection) >= limits.PerConnection) continue;
            if (scope.Provider is { } provider && byProvider.GetValueOrDefault(provider) >= limits.PerProvider) continue;
            admitted.Add(candidate);
            total++;
            byTenant[scope.TenantId] = byTenant.GetValueOrDefault(scope.TenantId) + 1;
            if (scope.ConnectionId is { } c) byConnection[c] = byConnection.GetValueOrDefault(c) + 1;
            if (scope.Provider is { } p) byProvider[p] = byProvider.GetValueOrDefault(p) + 1;
        }
        return admitted;
    }
}
