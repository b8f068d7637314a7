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

    /// <summary>
    /// How long finished requests (processed, unrouted, failed, rejected) are kept: their log, and
    /// their replay keys, which refuse a replay only while the request is kept (at least 24 h).
    /// Pending requests are never purged.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a Workers process running the inbound pipeline purges expired requests.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);

    public static readonly TimeSpan MinimumRetention = TimeSpan.FromHours(24);
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

    public Task ProcessAsync(IReadOnlyList<InboundEnvelope> batch, CancellationToken ct) =>
        Parallel.ForEachAsync(batch.GroupBy(e => e.Key).ToList(), new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = ct },
            async (lane, token) =>
            {
                foreach (var envelope in lane)
                {
                    try
                    {
                        await SendAsync(new ProcessInboundRequestCommand(envelope), token);
                    }
                    catch (Exception e) when (!token.IsCancellationRequested && !DatabaseFailures.IsTransient(e))
                    {
                        logger.LogWarning(e, "Inbound request {Id} cannot be processed; it is marked failed", envelope.Id);
                        await SendAsync(new FailInboundRequestCommand(envelope.Id, e.GetType().Name + ": " + e.Message), token);
                    }
                }
            });

    // A scope per request: a failed transaction leaves nothing behind for the next.
    private async Task SendAsync<T>(MediatR.IRequest<T> request, CancellationToken ct)
    {
        await using var scope = scopes.CreateScope(Actor);
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, ct);
    }
}
