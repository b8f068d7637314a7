using System.Collections.Concurrent;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.Logging;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Application.Inbound.Pipelines;

/// <summary>The inbound pipeline's bounds (Inbound:*, docs/configuration.md).</summary>
public sealed class InboundOptions
{
    public const string Section = "Inbound";

    /// <summary>Lanes processed at once per Workers process; each lane is one tenant's (or one provider account's) requests, in order.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Of those, lanes of one provider's accounts at once: a burst from one provider leaves room for the others and for sources.</summary>
    public int MaxConcurrencyPerProvider { get; set; } = 4;

    /// <summary>
    /// How long finished requests (processed, unrouted, failed, rejected) are kept: their log, and
    /// their replay keys, which refuse a replay only while the request is kept (at least 24 h).
    /// Pending requests are never purged.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a Workers process running the inbound pipeline purges expired requests.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);

    public static readonly TimeSpan MinimumRetention = TimeSpan.FromHours(24);

    /// <summary>How often a Workers process running the inbound pipeline checks the sources' silence alerts.</summary>
    public TimeSpan SilenceCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The Workers' inbound step for a batch of messages: one lane per message key (a tenant, or a
/// provider account), lanes processed at most <see cref="InboundOptions.MaxConcurrency"/> at once and
/// each lane's requests one after another. A burst from one tenant is therefore queued behind its
/// own lane (and in Kafka), never taking more than one slot, and never refused.
/// </summary>
/// <remarks>
/// A request whose processing fails for a reason a retry cannot mend (the database refuses its
/// payload) is marked failed with the error and skipped, so it cannot hold its partition; a transient
/// failure (the database away) fails the batch, which the consumer retries.
/// </remarks>
public sealed class InboundProcessing(IWorkScopeFactory scopes, InboundOptions options, ILogger<InboundProcessing> logger)
{
    public const string Actor = "system:inbound";

    // Per process, across the batches of all partitions this process consumes.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _providerSlots = new(StringComparer.Ordinal);

    public Task ProcessAsync(IReadOnlyList<InboundEnvelope> batch, CancellationToken ct) =>
        Parallel.ForEachAsync(Lanes(batch), new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = ct },
            async (lane, token) =>
            {
                var provider = lane[0].TenantId is null ? lane[0].Provider : null;
                var slots = provider is null ? null : _providerSlots.GetOrAdd(provider, _ => new SemaphoreSlim(options.MaxConcurrencyPerProvider));
                if (slots is not null) await slots.WaitAsync(token);
                try
                {
                    foreach (var envelope in lane) await ProcessOneAsync(envelope, token);
                }
                finally
                {
                    slots?.Release();
                }
            });

    /// <summary>
    /// The batch's lanes (one per key, in arrival order), taken round-robin across providers and
    /// sources, so the lanes started first are spread over them rather than all one provider's
    /// waiting for its slots while holding the process's.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<InboundEnvelope>> Lanes(IReadOnlyList<InboundEnvelope> batch)
    {
        var byOwner = batch.GroupBy(e => e.Key).Select(lane => (IReadOnlyList<InboundEnvelope>)lane.ToList())
            .GroupBy(lane => lane[0].TenantId is null ? "provider:" + lane[0].Provider : "sources").Select(g => g.ToList()).ToList();
        var lanes = new List<IReadOnlyList<InboundEnvelope>>(batch.Count);
        for (var round = 0; lanes.Count < byOwner.Sum(o => o.Count); round++)
            foreach (var owner in byOwner.Where(o => round < o.Count)) lanes.Add(owner[round]);
        return lanes;
    }

    private async Task ProcessOneAsync(InboundEnvelope envelope, CancellationToken ct)
    {
        try
        {
            await SendAsync(new ProcessInboundRequestCommand(envelope), ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && !DatabaseFailures.IsTransient(e))
        {
            logger.LogWarning(e, "Inbound request {Id} cannot be processed; it is marked failed", envelope.Id);
            await SendAsync(new FailInboundRequestCommand(envelope.Id, e.GetType().Name + ": " + e.Message), ct);
        }
    }

    // A scope per request: a failed transaction leaves nothing behind for the next.
    private async Task SendAsync<T>(MediatR.IRequest<T> request, CancellationToken ct)
    {
        await using var scope = scopes.CreateScope(Actor);
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, ct);
    }
}
