using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using FluentValidation.Results;
using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.Events.Commands.IngestEvent;

public sealed record EventAcceptedDto(Guid Id, string EventType, DateTimeOffset Timestamp);

/// <summary>
/// One event the product publishes. Concurrent requests are written together by the
/// <see cref="EventGroupCommitter"/>: one transaction for many requests, each with its own
/// idempotency record, instead of one transaction per request.
/// </summary>
public sealed record IngestEventCommand(Guid TenantId, string EventType, JsonElement Data, [property: JsonIgnore] string? IdempotencyKey = null)
    : IGroupCommittedCommand<EventAcceptedDto>
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class IngestEventCommandValidator : AbstractValidator<IngestEventCommand>
{
    public const int MaxDataBytes = 256 * 1024;

    public IngestEventCommandValidator(IEventSchemaValidator schemas)
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.EventType).NotEmpty().MaximumLength(100)
            .Must(EventTypeCatalog.IsKnown).WithErrorCode("unknown_event_type")
            .WithMessage(c => $"Unknown event type '{c.EventType}'. GET /api/v1/event-types lists the accepted ones.");
        RuleFor(c => c.EventType).Must(t => !EventTypeCatalog.IsKnown(t) || EventTypeCatalog.IsPublishable(t)).WithErrorCode("reserved_event_type")
            .WithMessage(c => $"'{c.EventType}' is emitted by the platform itself and cannot be published through the API.");
        RuleFor(c => c.Data).Must(d => d.ValueKind == JsonValueKind.Object)
            .WithErrorCode("invalid_type").WithMessage("data must be a JSON object.");
        RuleFor(c => c.Data).Must(d => d.ValueKind != JsonValueKind.Object || d.GetRawText().Length <= MaxDataBytes)
            .WithErrorCode("too_large").WithMessage($"data must be at most {MaxDataBytes / 1024} KiB.");
        // JSON allows U+0000 in strings, PostgreSQL's jsonb does not: refused here instead of failing the write.
        RuleFor(c => c.Data).Custom((data, context) =>
            {
                if (data.ValueKind != JsonValueKind.Object) return;
                // One copy of the raw text serves the size guard and the quick look for the escape.
                var raw = data.GetRawText();
                if (raw.Length <= MaxDataBytes && NulPath(data, raw) is { } path)
                    context.AddFailure(new ValidationFailure(path.Length == 0 ? "data" : "data." + path, "Text in data must not contain the character U+0000.")
                    {
                        ErrorCode = "invalid_character",
                        CustomState = FieldNames.Verbatim,
                    });
            });
        // The schema speaks only about objects of an acceptable size from the product; anything else is refused above.
        RuleFor(c => c.Data).Custom((data, context) =>
            {
                foreach (var violation in schemas.Validate(context.InstanceToValidate.EventType, data))
                    context.AddFailure(new ValidationFailure(violation.Path.Length == 0 ? "data" : "data." + violation.Path, violation.Message)
                    {
                        ErrorCode = "schema_violation",
                        CustomState = FieldNames.Verbatim,
                    });
            })
            .When(c => EventTypeCatalog.IsPublishable(c.EventType) && c.Data.ValueKind == JsonValueKind.Object && c.Data.GetRawText().Length <= MaxDataBytes);
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
    }

    /// <summary>The path of the first string or property name holding U+0000 ("items[2].name"), or null.</summary>
    private static string? NulPath(JsonElement data, string raw)
    {
        // Only an escape can put it there (raw control characters are not JSON), so most data is never walked.
        return raw.Contains("\\u0000", StringComparison.Ordinal) ? Find(data, "") : null;

        static string? Find(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    return element.GetString()!.Contains('\0') ? path : null;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        var child = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                        if (property.Name.Contains('\0')) return path.Length == 0 ? "" : path;
                        if (Find(property.Value, child) is { } found) return found;
                    }
                    return null;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                        if (Find(item, $"{path}[{index++}]") is { } found) return found;
                    return null;
                default:
                    return null;
            }
        }
    }
}

/// <summary>Accepts an event the product published (the group committer does the writing).</summary>
public sealed class IngestEventCommandHandler(EventGroupCommitter committer, IRequestContext context, IdempotencyOutcome outcome)
    : IRequestHandler<IngestEventCommand, EventAcceptedDto>
{
    public async Task<EventAcceptedDto> Handle(IngestEventCommand request, CancellationToken cancellationToken)
    {
        var key = request.IdempotencyKey is { Length: > 0 } given ? given : null;
        var result = await committer.SubmitAsync(new GroupedEvent(
            new NewEvent(request.TenantId, request.EventType, request.Data, RequestOrigin.Of(context)),
            key is null ? null : (request.IdempotencyScope, key, IdempotencyRecords.RequestHash(request))), cancellationToken);
        outcome.Replayed = result.Replayed;
        return result.Accepted;
    }
}
