using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.DeliveryStats.Queries.GetDeliveryStats;

/// <param name="SuccessRate">Succeeded attempts over attempts; null in a bucket without attempts.</param>
/// <param name="AverageDurationMs">Mean response time of the bucket's attempts; null without attempts.</param>
public sealed record DeliveryStatsPointDto(DateTimeOffset Start, long Attempts, long Succeeded, long Failed, long DeadLettered,
    double? SuccessRate, double? AverageDurationMs, int? MaxDurationMs);

public sealed record DeliveryStatsDto(string Window, int BucketSeconds, DateTimeOffset From, DateTimeOffset To, Guid? TenantId, IReadOnlyList<DeliveryStatsPointDto> Points);

/// <summary>
/// Admin: webhook delivery success rate and latency over time, every tenant's or one's: the last hour
/// in 5-minute buckets (<c>1h</c>) or the last day in hourly ones (<c>24h</c>). Every bucket is
/// there, the empty ones with zero attempts.
/// </summary>
public sealed record GetDeliveryStatsQuery(Guid? TenantId, string Window = "24h") : IQuery<DeliveryStatsDto>
{
    public static readonly IReadOnlyDictionary<string, (TimeSpan Bucket, int Count)> Windows = new Dictionary<string, (TimeSpan, int)>(StringComparer.Ordinal)
    {
        ["1h"] = (TimeSpan.FromMinutes(5), 12),
        ["24h"] = (TimeSpan.FromHours(1), 24),
    };
}

public sealed class GetDeliveryStatsQueryValidator : AbstractValidator<GetDeliveryStatsQuery>
{
    public GetDeliveryStatsQueryValidator() =>
        RuleFor(q => q.Window).Must(w => GetDeliveryStatsQuery.Windows.ContainsKey(w)).WithErrorCode("invalid_window").WithMessage("window must be 1h or 24h.");
}

public sealed class GetDeliveryStatsQueryHandler(IDeliveryStatsReadModel stats, ITenantReadModel tenants, IClock clock) : IRequestHandler<GetDeliveryStatsQuery, DeliveryStatsDto>
{
    public async Task<DeliveryStatsDto> Handle(GetDeliveryStatsQuery request, CancellationToken cancellationToken)
    {
        if (request.TenantId is { } tenantId)
            _ = await tenants.FindAsync(tenantId, cancellationToken) ?? throw new Common.Exceptions.NotFoundException("tenant_not_found", "No such tenant.");
        var (bucket, count) = GetDeliveryStatsQuery.Windows[request.Window];
        // Buckets end with the current one, aligned to the bucket size in UTC.
        var now = clock.UtcNow;
        var current = new DateTimeOffset(now.UtcTicks - now.UtcTicks % bucket.Ticks, TimeSpan.Zero);
        var from = current - bucket * (count - 1);
        var found = (await stats.SeriesAsync(request.TenantId, from, bucket, cancellationToken)).ToDictionary(b => b.Start.UtcTicks);
        var points = Enumerable.Range(0, count).Select(i =>
        {
            var start = from + bucket * i;
            var b = found.GetValueOrDefault(start.UtcTicks) ?? new DeliveryStatsBucket(start, 0, 0, 0, 0, 0, 0);
            return new DeliveryStatsPointDto(start, b.Attempts, b.Succeeded, b.Failed, b.DeadLettered,
                b.Attempts == 0 ? null : (double)b.Succeeded / b.Attempts,
                b.Attempts == 0 ? null : (double)b.DurationMsSum / b.Attempts,
                b.Attempts == 0 ? null : b.DurationMsMax);
        }).ToList();
        return new DeliveryStatsDto(request.Window, (int)bucket.TotalSeconds, from, current + bucket, request.TenantId, points);
    }
}
