using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using FluentValidation.Results;
using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events.Commands.IngestEvent;
using MediatR;

namespace Integrations.Application.Events.Commands.IngestEvents;

/// <summary>One event of a batch: what <see cref="IngestEventCommand"/> takes, without the tenant (the batch has one).</summary>
public sealed record BatchedEvent(string? EventType, JsonElement Data);

/// <summary>The accepted events of a batch, in request order.</summary>
public sealed record EventsAcceptedDto(IReadOnlyList<EventAcceptedDto> Data);

/// <summary>Many events of one tenant, accepted all together or not at all.</summary>
public sealed record IngestEventsCommand(Guid TenantId, IReadOnlyList<BatchedEvent?>? Events, [property: JsonIgnore] string? IdempotencyKey = null)
    : ICommand<EventsAcceptedDto>, IIdempotentCommand
{
    public const int MaxEvents = 100;

    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

/// <summary>
/// Every event is checked by the single-event validator (the same rules, not a copy); its failures
/// are reported under events[i] so the caller knows which event to fix.
/// </summary>
public sealed class IngestEventsCommandValidator : AbstractValidator<IngestEventsCommand>
{
    public IngestEventsCommandValidator(IValidator<IngestEventCommand> single)
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.Events).NotNull()
            .Must(e => e is null || e.Count is >= 1 and <= IngestEventsCommand.MaxEvents).WithErrorCode("out_of_range")
            .WithMessage(c => $"events must hold 1 to {IngestEventsCommand.MaxEvents} events; it holds {c.Events!.Count}.");
        RuleFor(c => c.Events).Custom((events, context) =>
            {
                for (var i = 0; i < events!.Count; i++)
                {
                    var prefix = $"events[{i}]";
                    if (events[i] is not { } e)
                    {
                        context.AddFailure(new ValidationFailure(prefix, $"{prefix} must be an event object.") { ErrorCode = "required", CustomState = FieldNames.Verbatim });
                        continue;
                    }
                    // The tenant is the batch's (validated above); only the event's own rules apply here.
                    var result = single.Validate(new IngestEventCommand(Guid.NewGuid(), e.EventType ?? "", e.Data));
                    foreach (var failure in result.Errors)
                    {
                        var field = failure.CustomState == FieldNames.Verbatim ? failure.PropertyName : ValidationBehaviour<IngestEventCommand, EventAcceptedDto>.FieldName(failure.PropertyName);
                        context.AddFailure(new ValidationFailure($"{prefix}.{field}", failure.ErrorMessage)
                        {
                            ErrorCode = failure.ErrorCode,
                            CustomState = FieldNames.Verbatim,
                        });
                    }
                }
            })
            .When(c => c.Events is { Count: >= 1 and <= IngestEventsCommand.MaxEvents });
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
    }
}

/// <summary>Accepts a batch the product published, in one transaction (the recorder does the writing).</summary>
public sealed class IngestEventsCommandHandler(EventRecorder recorder, ITenantReadModel tenants)
    : IRequestHandler<IngestEventsCommand, EventsAcceptedDto>
{
    public async Task<EventsAcceptedDto> Handle(IngestEventsCommand request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        var events = request.Events!.Select(e => (e!.EventType!, e.Data)).ToList();
        return new EventsAcceptedDto(await recorder.RecordBatchAsync(request.TenantId, events, cancellationToken));
    }
}
