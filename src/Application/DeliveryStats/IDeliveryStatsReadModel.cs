namespace Integrations.Application.DeliveryStats;

/// <summary>Webhook delivery attempts summed over one time bucket (all endpoints of the scope).</summary>
public sealed record DeliveryStatsBucket(DateTimeOffset Start, long Attempts, long Succeeded, long Failed, long DeadLettered, long DurationMsSum, int DurationMsMax);

/// <summary>The per-minute delivery statistics (webhook_delivery_stats) summed into buckets.</summary>
public interface IDeliveryStatsReadModel
{
    /// <summary>Buckets of <paramref name="bucket"/> from <paramref name="from"/> (aligned to it) that had attempts, oldest first; one tenant's or every tenant's.</summary>
    Task<IReadOnlyList<DeliveryStatsBucket>> SeriesAsync(Guid? tenantId, DateTimeOffset from, TimeSpan bucket, CancellationToken ct);
}
