using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Notifications;
using Integrations.Domain.Connectors;
using Integrations.Domain.Notifications;
using MediatR;

namespace Integrations.Application.Connectors.Pipelines.Calls;

/// <summary>
/// Records a batch of finished runs in one transaction (<see cref="IConnectorCallResults"/>), and
/// tells tenants about what stays broken, once per incident (the notifications feature): a
/// connection whose circuit has been open for Connectors:CircuitBreaker:IncidentAfter, and one
/// whose dead letters reached Connectors:DeadLetterIncidentThreshold; each resolved when it clears
/// (the circuit closed; no dead letter left). A succeeded call of a <see cref="ILinkingConnectorAction"/>
/// links our record with the one it made at the provider; one of a <see cref="IFollowingConnectorAction"/>
/// adds the call that follows it (and remembers the write that call makes, <see cref="IConnectorWrites"/>).
/// </summary>
public sealed record RecordCallResultsCommand(IReadOnlyList<CompletedCall> Calls) : ICommand<int>;

public sealed class RecordCallResultsCommandHandler(
    IConnectorCallResults results, IConnectorConnectionStates states, IncidentLog incidents, ConnectorsOptions options, IClock clock,
    IConnectorActions actions, Connections.IConnectionLinks links, IConnectorCallLedger ledger, IConnectorWrites writes)
    : IRequestHandler<RecordCallResultsCommand, int>
{
    public async Task<int> Handle(RecordCallResultsCommand request, CancellationToken cancellationToken)
    {
        var recorded = (await results.RecordAsync(request.Calls, cancellationToken)).ToHashSet();
        var calls = request.Calls.Where(c => recorded.Contains(c.Call.Id)).ToList();
        await LinkMadeRecordsAsync(calls, cancellationToken);
        await FollowUpAsync(calls, cancellationToken);
        // Only connections something happened to that could open or clear an incident are looked at.
        var worth = calls.Where(c => c.Step is not CallStep.WaitUntil || c.Attempts.Any(a => a.ErrorKind == CallErrorKinds.CircuitOpen) || WaitedForQuota(c))
            .GroupBy(c => c.Call.ConnectionId).ToDictionary(g => g.Key, g => g.ToList());
        if (worth.Count == 0) return recorded.Count;
        var now = clock.UtcNow;
        foreach (var facts in await states.ReadAsync(worth.Keys, cancellationToken))
        {
            var ofConnection = worth[facts.ConnectionId];
            var call = ofConnection[0].Call;
            await ReviewBreakerAsync(call, facts, ofConnection, now, cancellationToken);
            await ReviewDeadLettersAsync(call, facts, ofConnection, cancellationToken);
            await ReviewQuotaAsync(call, facts, ofConnection, now, cancellationToken);
        }
        return recorded.Count;
    }

    private async Task LinkMadeRecordsAsync(List<CompletedCall> calls, CancellationToken ct)
    {
        foreach (var done in calls.Where(c => c.Step is CallStep.Done && c.Attempts.Count > 0 && c.Attempts[^1].Succeeded))
            if (actions.Find(done.Call.Action) is ILinkingConnectorAction linking && linking.LinkOf(done.Call.Request, done.Attempts[^1].ResponseBodyExcerpt) is { } link)
                await links.LinkAsync(done.Call.TenantId, done.Call.ConnectionId, link.EntityType, link.EntityId, link.ExternalType, link.ExternalId, ct);
    }

    /// <summary>
    /// The calls that follow succeeded ones, named by them (a result recorded twice adds one), with the writes they
    /// will make remembered before they can be sent; the writes of finished calls settled or forgotten.
    /// </summary>
    private async Task FollowUpAsync(List<CompletedCall> calls, CancellationToken ct)
    {
        // Writing actions' calls remembered their writes when routed: settled or forgotten with them.
        var ofFollowing = calls.Where(c => actions.Find(c.Call.Action) is IFollowingConnectorAction or IWritingConnectorAction).ToList();
        if (ofFollowing.Count == 0) return;
        var now = clock.UtcNow;
        var next = new List<NewConnectorCall>();
        foreach (var done in ofFollowing.Where(c => c.Step is CallStep.Done && c.Next is not null))
        {
            var call = done.Call;
            var id = ConnectorCallPolicy.FollowUpId(call.Id, call.RouteId);
            next.Add(new NewConnectorCall(id, call.TenantId, call.ConnectionId, call.RouteId, call.Provider, call.Action, call.EventId, call.EventType, done.Next!.Request, now));
            if (done.Next.Write is { } write) await writes.RememberAsync(call.TenantId, call.ConnectionId, id, write, now, ct);
        }
        if (next.Count > 0) await ledger.AddAsync(next, ct);
        await writes.SettleAsync(ofFollowing.Where(c => c.Step is CallStep.Done).Select(c => c.Call.Id).ToList(),
            ofFollowing.Where(c => c.Step is CallStep.DeadLetter).Select(c => c.Call.Id).ToList(), now, ct);
    }

    private async Task ReviewBreakerAsync(ClaimedCall call, ConnectionRuntimeFacts facts, List<CompletedCall> calls, DateTimeOffset now, CancellationToken ct)
    {
        if (!facts.BreakerIncidentOpen && facts.CircuitState != "closed" && facts.OpenedAt is { } openedAt
            && now - openedAt >= options.CircuitBreaker.IncidentAfter)
        {
            await incidents.OpenAsync(call.TenantId, IncidentKinds.BreakerOpen, call.ConnectionId,
                $"Calls to your {call.Provider} connection are on hold: it has failed since {openedAt:yyyy-MM-dd HH:mm} UTC",
                $"Its circuit breaker opened after {options.CircuitBreaker.FailureThreshold} failures in a row and every probe since has failed. " +
                "Calls wait and are sent once the provider answers again; see the connection's calls for the errors.", ct);
            await states.SetIncidentsAsync(call.ConnectionId, call.TenantId, call.Provider, true, null, ct);
        }
        else if (facts.BreakerIncidentOpen && facts.CircuitState == "closed" && calls.Any(c => c.Step is CallStep.Done))
        {
            await incidents.ResolveAsync(call.TenantId, IncidentKinds.BreakerOpen, call.ConnectionId,
                $"Calls to your {call.Provider} connection go through again", ct);
            await states.SetIncidentsAsync(call.ConnectionId, call.TenantId, call.Provider, false, null, ct);
        }
    }

    /// <summary>
    /// A call that waits for the provider's quota for <see cref="ConnectorsOptions.QuotaIncidentAfter"/> or longer (a day's quota, not a minute's) tells
    /// the tenant once; the connection's next succeeded call tells them it goes through again.
    /// </summary>
    private async Task ReviewQuotaAsync(ClaimedCall call, ConnectionRuntimeFacts facts, List<CompletedCall> calls, DateTimeOffset now, CancellationToken ct)
    {
        var longest = calls.Select(c => c.Step is CallStep.WaitUntil wait && WaitedForQuota(c) ? wait.At : (DateTimeOffset?)null).Max();
        if (!facts.QuotaIncidentOpen && longest is { } until && until - now >= options.QuotaIncidentAfter)
        {
            await incidents.OpenAsync(call.TenantId, IncidentKinds.QuotaExhausted, call.ConnectionId,
                $"Calls to your {call.Provider} connection wait for its quota until {until:yyyy-MM-dd HH:mm} UTC",
                "The provider says the quota is used up (for Exact Online: the company's calls of the day). The calls are held, not refused, " +
                "and go by themselves once the provider's limit resets; see the connection's calls.", ct);
            await states.SetQuotaIncidentAsync(call.ConnectionId, call.TenantId, call.Provider, true, ct);
        }
        else if (facts.QuotaIncidentOpen && calls.Any(c => c.Step is CallStep.Done))
        {
            await incidents.ResolveAsync(call.TenantId, IncidentKinds.QuotaExhausted, call.ConnectionId,
                $"Calls to your {call.Provider} connection go through again", ct);
            await states.SetQuotaIncidentAsync(call.ConnectionId, call.TenantId, call.Provider, false, ct);
        }
    }

    /// <summary>Its run ended waiting for a quota: our own count's (a quota_wait row), or the provider's refusal (429).</summary>
    private static bool WaitedForQuota(CompletedCall call) =>
        call.Attempts.Count > 0 && (call.Attempts[^1].ErrorKind == CallErrorKinds.QuotaWait || call.Attempts[^1].StatusCode == 429);

    private async Task ReviewDeadLettersAsync(ClaimedCall call, ConnectionRuntimeFacts facts, List<CompletedCall> calls, CancellationToken ct)
    {
        if (!facts.DeadLetterIncidentOpen && facts.DeadLetters >= options.DeadLetterIncidentThreshold && calls.Any(c => c.Step is CallStep.DeadLetter))
        {
            await incidents.OpenAsync(call.TenantId, IncidentKinds.DeadLettersPiling, call.ConnectionId,
                $"{facts.DeadLetters} calls to your {call.Provider} connection failed for good",
                "They were dead-lettered after their last retry (or refused by the provider). Fix the cause, then replay them: " +
                $"POST /api/v1/connections/{call.ConnectionId}/calls/replay.", ct);
            await states.SetIncidentsAsync(call.ConnectionId, call.TenantId, call.Provider, null, true, ct);
        }
        else if (facts.DeadLetterIncidentOpen && facts.DeadLetters == 0)
        {
            await incidents.ResolveAsync(call.TenantId, IncidentKinds.DeadLettersPiling, call.ConnectionId,
                $"No failed calls to your {call.Provider} connection are left", ct);
            await states.SetIncidentsAsync(call.ConnectionId, call.TenantId, call.Provider, null, false, ct);
        }
    }
}
