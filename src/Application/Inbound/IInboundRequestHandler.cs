namespace Integrations.Application.Inbound;

/// <summary>What a connector made of an inbound request: the status it ends with, and the tenant it went to.</summary>
public sealed record InboundHandled(string Status, IReadOnlyList<Guid> Tenants);

/// <summary>
/// A provider whose inbound requests a connector handles itself instead of their becoming
/// <c>inbound.received</c> events (the e-mail connector: a mail becomes product commands). The
/// inbound pipeline calls it inside the request's transaction, with the request locked and pending,
/// so what it writes commits with the request's new status, once.
/// </summary>
public interface IInboundRequestHandler
{
    string Provider { get; }

    Task<InboundHandled> HandleAsync(InboundEnvelope envelope, CancellationToken ct);
}
