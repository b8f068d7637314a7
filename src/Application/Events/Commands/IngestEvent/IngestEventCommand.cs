using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Events;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.Events.Commands.IngestEvent;

public sealed record EventAcceptedDto(Guid Id, string EventType, DateTimeOffset Timestamp);

public sealed record IngestEventCommand(Guid TenantId, string EventType, JsonElement Data, [property: JsonIgnore] string? IdempotencyKey = null)
    : ICommand<EventAcceptedDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class IngestEventCommandValidator : AbstractValidator<IngestEventCommand>
{
    public const int MaxDataBytes = 256 * 1024;

    public IngestEventCommandValidator()
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.EventType).NotEmpty().MaximumLength(100)
            .Must(EventTypeCatalog.IsKnown).WithErrorCode("unknown_event_type")
            .WithMessage(c => $"Unknown event type '{c.EventType}'. GET /api/v1/event-types lists the accepted ones.");
        RuleFor(c => c.Data).Must(d => d.ValueKind == JsonValueKind.Object)
            .WithErrorCode("invalid_type").WithMessage("data must be a JSON object.");
        RuleFor(c => c.Data).Must(d => d.ValueKind != JsonValueKind.Object || d.GetRawText().Length <= MaxDataBytes)
            .WithErrorCode("too_large").WithMessage($"data must be at most {MaxDataBytes / 1024} KiB.");
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
    }
}

/// <summary>
/// Accepts an event: its stream, its read model row (inline projection) and its Kafka message
/// (outbox) are written in one transaction. Nothing is sent synchronously.
/// </summary>
public sealed class IngestEventCommandHandler(AggregateStore aggregates, ITenantReadModel tenants, IOutbox outbox, IClock clock, IRequestContext context)
    : IRequestHandler<IngestEventCommand, EventAcceptedDto>
{
    public async Task<EventAcceptedDto> Handle(IngestEventCommand request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");

        var id = Guid.CreateVersion7();
        var now = clock.UtcNow;
        var dataJson = request.Data.GetRawText();
        var result = await aggregates.HandleAsync(IngestedEventDecider.Decider, IngestedEventDecider.StreamId(id),
            new AcceptEvent(id, request.TenantId, request.EventType, dataJson, now), request.TenantId, cancellationToken);

        var envelope = new EventEnvelope(id, request.EventType, request.TenantId, now, request.Data, EventEnvelope.CurrentSchemaVersion);
        await outbox.EnqueueAsync(EventEnvelope.ToOutboxMessage(envelope, result.Append!.GlobalSequences[0], context.CorrelationId), cancellationToken);
        return new EventAcceptedDto(id, request.EventType, now);
    }
}
