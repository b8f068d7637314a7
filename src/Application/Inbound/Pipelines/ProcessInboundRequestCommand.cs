using System.Text;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.Events;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.Inbound.Pipelines;

/// <summary>
/// Turns one accepted inbound request into <c>inbound.received</c> events of the tenants it is for,
/// in one transaction with its status: a source's tenant, or every tenant holding a connection to
/// the account the provider's payload names (the identity map). Runs once per request: a redelivered
/// message finds the request no longer pending and changes nothing.
/// </summary>
public sealed record ProcessInboundRequestCommand(InboundEnvelope Envelope) : ICommand<string>;

public sealed class ProcessInboundRequestCommandHandler(IInboundRequests requests, IConnectionReadModel connections, EventRecorder recorder, IOutbox outbox,
    IEnumerable<IInboundRequestHandler> connectors)
    : IRequestHandler<ProcessInboundRequestCommand, string>
{
    public async Task<string> Handle(ProcessInboundRequestCommand command, CancellationToken ct)
    {
        var envelope = command.Envelope;
        var status = await requests.LockStatusAsync(envelope.Id, ct);
        if (status is null or not InboundStatuses.Pending)
        {
            await outbox.MarkCompletedAsync([envelope.Id], ct);
            return status ?? "missing";
        }

        // A provider a connector handles itself (e-mail): its outcome, not inbound.received events.
        if (connectors.FirstOrDefault(c => c.Provider == envelope.Provider) is { } connector)
        {
            var handled = await connector.HandleAsync(envelope, ct);
            await requests.CompleteAsync(envelope.Id, handled.Status, handled.Tenants, [], ct);
            await outbox.MarkCompletedAsync([envelope.Id], ct);
            return handled.Status;
        }

        var routes = await RouteAsync(envelope, ct);
        if (routes.Count == 0)
        {
            await requests.CompleteAsync(envelope.Id, InboundStatuses.Unrouted, [], [], ct);
            await outbox.MarkCompletedAsync([envelope.Id], ct);
            return InboundStatuses.Unrouted;
        }
        var accepted = await recorder.RecordManyAsync(routes.Select(r => new NewEvent(r.TenantId, EventTypeCatalog.InboundReceived, Data(envelope, r.ConnectionId))).ToList(), ct);
        await requests.CompleteAsync(envelope.Id, InboundStatuses.Processed, routes.Select(r => r.TenantId).ToList(), accepted.Select(a => a.Id).ToList(), ct);
        await outbox.MarkCompletedAsync([envelope.Id], ct);
        return InboundStatuses.Processed;
    }

    private async Task<IReadOnlyList<(Guid TenantId, Guid? ConnectionId)>> RouteAsync(InboundEnvelope envelope, CancellationToken ct)
    {
        if (envelope.TenantId is { } tenant) return [(tenant, null)];
        if (envelope.Provider is not { } provider || envelope.AccountId is not { Length: > 0 } account) return [];
        // Several tenants may hold the same account: each gets the event once, with its first connection.
        return (await connections.FindByAccountAsync(provider, account, ct))
            .GroupBy(c => c.TenantId)
            .Select(g => (g.Key, (Guid?)g.First().ConnectionId))
            .ToList();
    }

    /// <summary>The event's data: the payload as JSON when the body is JSON, else as text.</summary>
    public static JsonElement Data(InboundEnvelope envelope, Guid? connectionId)
    {
        var body = Convert.FromBase64String(envelope.BodyBase64);
        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(body);
            payload = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            payload = JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(body));
        }
        return JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["inbound_request_id"] = envelope.Id,
            ["provider"] = envelope.Provider,
            ["source_id"] = envelope.SourceId,
            ["connection_id"] = connectionId,
            ["account_id"] = envelope.AccountId,
            ["received_at"] = envelope.ReceivedAt,
            ["content_type"] = envelope.ContentType,
            ["payload"] = payload,
        });
    }
}

/// <summary>Marks a request failed for good (and its message done), so a payload that cannot be recorded does not block its partition.</summary>
public sealed record FailInboundRequestCommand(Guid Id, string Error) : ICommand<Unit>;

public sealed class FailInboundRequestCommandHandler(IInboundRequests requests, IOutbox outbox) : IRequestHandler<FailInboundRequestCommand, Unit>
{
    public async Task<Unit> Handle(FailInboundRequestCommand command, CancellationToken ct)
    {
        // The error goes to the operator's log and the tenant's inbound log: it names the failure, never the payload.
        await requests.FailAsync(command.Id, command.Error.Length > 500 ? command.Error[..500] : command.Error, ct);
        await outbox.MarkCompletedAsync([command.Id], ct);
        return Unit.Value;
    }
}
