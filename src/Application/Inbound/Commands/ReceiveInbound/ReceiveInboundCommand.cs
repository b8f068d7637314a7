using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Providers;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Application.Inbound.Commands.ReceiveInbound;

/// <summary>What the receiver answers: accepted (stored, queued), a replay of an accepted request, refused, or a handshake's echo.</summary>
public abstract record InboundReceipt;

public sealed record InboundAccepted(Guid Id) : InboundReceipt;

public sealed record InboundReplayed : InboundReceipt;

public sealed record InboundRejected(string Reason) : InboundReceipt;

/// <summary>A handshake's answer, sent as it is with this content type.</summary>
public sealed record InboundHandshake(string Body, string ContentType) : InboundReceipt;

/// <summary>
/// A request on an inbound URL. It verifies, answers handshakes, and writes what it accepts with its
/// Kafka message in one transaction; it never processes it (the Workers' inbound pipeline does).
/// </summary>
/// <param name="ValidationToken">Microsoft Graph's <c>validationToken</c> query parameter, when present.</param>
public sealed record ReceiveInboundCommand(InboundTarget Target, InboundRequest Request, string? ContentType, string? ValidationToken) : ICommand<InboundReceipt>;

public sealed class ReceiveInboundCommandHandler(IProviderCatalog providers, IInboundSourceVerifiers sources, IInboundRequests requests, IOutbox outbox,
    IClock clock, IRequestContext context) : IRequestHandler<ReceiveInboundCommand, InboundReceipt>
{
    public async Task<InboundReceipt> Handle(ReceiveInboundCommand command, CancellationToken ct)
    {
        var target = command.Target;
        var (verifier, kind, accountPath, tenantId) = await ResolveAsync(target, ct);

        // Graph's subscription validation carries no clientState: the token is echoed, nothing is stored.
        if (kind == InboundVerifiers.GraphClientState && command.ValidationToken is { } token)
            return token.Length is > 0 and <= Handshakes.MaxValidationTokenLength
                ? new InboundHandshake(token, "text/plain")
                : new InboundRejected(RejectionReasons.MalformedBody);

        var now = clock.UtcNow;
        var verification = verifier.Verify(command.Request, now);
        if (!verification.Verified)
        {
            await requests.CountRejectionAsync(target, verification.Reason!, ct);
            if (target.SourceId is { } sourceId) await requests.LogRejectedAsync(Guid.CreateVersion7(now), now, sourceId, tenantId!.Value, verification.Reason!, ct);
            return new InboundRejected(verification.Reason!);
        }
        // Slack signs its url_verification too, so it is answered only once verified.
        if (kind == InboundVerifiers.Slack && Handshakes.SlackChallenge(command.Request.Body) is { } challenge)
            return new InboundHandshake(challenge, "text/plain");

        var headers = verification.SignedHeaders
            .Where(h => command.Request.Header(h) is not null)
            .ToDictionary(h => h.ToLowerInvariant(), h => command.Request.Header(h)!);
        var request = new NewInboundRequest(Guid.CreateVersion7(now), now, target, tenantId,
            accountPath is null ? null : BodyPath.String(command.Request.Body, accountPath), verification.ReplayKey,
            command.ContentType, headers, command.Request.Body);
        if (!await requests.TryRecordAsync(request, ct)) return new InboundReplayed();
        await outbox.EnqueueAsync([InboundEnvelope.From(request).ToOutboxMessage(context.CorrelationId)], ct);
        return new InboundAccepted(request.Id);
    }

    private async Task<(IInboundVerifier Verifier, string? Kind, string? AccountPath, Guid? TenantId)> ResolveAsync(InboundTarget target, CancellationToken ct)
    {
        if (target.Provider is { } provider)
        {
            if (providers.Find(provider)?.Inbound is not { } settings || providers.InboundVerifier(provider) is not { } verifier)
                throw new NotFoundException("inbound_target_not_found", $"There is no inbound URL for the provider '{provider}'.");
            return (verifier, settings.Verifier, settings.AccountIdPath, null);
        }
        var source = await sources.FindAsync(target.SourceId!.Value, ct)
                     ?? throw new NotFoundException("inbound_target_not_found", "There is no such inbound source.");
        return (source.Verifier, null, null, source.TenantId);
    }
}

/// <summary>A tenant's inbound source as the receiver needs it: its tenant and its verifier (holding its decrypted secret).</summary>
public sealed record InboundSourceVerifier(Guid TenantId, IInboundVerifier Verifier);

/// <summary>Finds a live source's verifier (step 4 of issue 20: the generic sources).</summary>
public interface IInboundSourceVerifiers
{
    Task<InboundSourceVerifier?> FindAsync(Guid sourceId, CancellationToken ct);
}
