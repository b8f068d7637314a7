using System.Globalization;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events.Queries.ListEvents;
using Integrations.Domain.Common;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.Hooks.Queries.GetHookSamples;

/// <summary>An event as a hook's delivery carries it (without the delivery's webhook_id and endpoint_id).</summary>
public sealed record HookSampleDto(Guid Id, string EventType, DateTimeOffset Timestamp, JsonElement Data);

/// <summary>
/// Samples for an automation tool's editor and its polling fallback (Zapier's performList): the
/// tenant's latest events of the type, newest first, else the catalog's sample for it, whose id is
/// derived from the type so that it stays the same (tools deduplicate by id).
/// </summary>
public sealed record GetHookSamplesQuery(Guid TenantId, string? EventType) : IQuery<IReadOnlyList<HookSampleDto>>
{
    public const int MaxSamples = 10;

    /// <summary>The catalog sample's timestamp: fixed, like its id.</summary>
    public static readonly DateTimeOffset CatalogSampleTimestamp = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Guid CatalogSampleId(string eventType) => NameBasedGuid.Create(Encoding.UTF8.GetBytes("integrations.hooks.sample:" + eventType));
}

public sealed class GetHookSamplesQueryValidator : AbstractValidator<GetHookSamplesQuery>
{
    public GetHookSamplesQueryValidator()
    {
        RuleFor(q => q.TenantId).NotEmpty();
        RuleFor(q => q.EventType).Cascade(CascadeMode.Stop).NotEmpty()
            .Must(EventTypeCatalog.IsKnown).WithErrorCode("unknown_event_type")
            .WithMessage(q => $"Unknown event type '{q.EventType}'; GET /api/v1/event-types lists them.");
    }
}

public sealed class GetHookSamplesQueryHandler(IEventReadModel events) : IRequestHandler<GetHookSamplesQuery, IReadOnlyList<HookSampleDto>>
{
    public async Task<IReadOnlyList<HookSampleDto>> Handle(GetHookSamplesQuery request, CancellationToken cancellationToken)
    {
        var query = ListQueryParser.Parse(ListEventsQuery.Spec, new ListParameters(
            GetHookSamplesQuery.MaxSamples.ToString(CultureInfo.InvariantCulture), Filters: new Dictionary<string, string> { ["event_type"] = request.EventType! }));
        var latest = await events.ListAsync(request.TenantId, query, cancellationToken);
        if (latest.Data.Count > 0) return latest.Data.Select(e => new HookSampleDto(e.Id, e.EventType, e.Timestamp, e.Data)).ToList();

        var definition = EventTypeCatalog.Find(request.EventType)!;
        return [new HookSampleDto(GetHookSamplesQuery.CatalogSampleId(definition.Name), definition.Name, GetHookSamplesQuery.CatalogSampleTimestamp,
            JsonDocument.Parse(definition.Sample).RootElement.Clone())];
    }
}
