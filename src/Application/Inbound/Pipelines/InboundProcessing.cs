using Integrations.Application.Common.Interfaces;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Application.Inbound.Pipelines;

/// <summary>The inbound pipeline's bounds (Inbound:*, docs/configuration.md).</summary>
public sealed class InboundOptions
{
    public const string Section = "Inbound";

    /// <summary>Lanes processed at once per Workers process; each lane is one tenant's (or one provider account's) requests, in order.</summary>
    public int MaxConcurrency { get; set; } = 8;
}

/// <summary>
/// The Workers' inbound step for a batch of messages: one lane per message key (a tenant, or a
/// provider account), lanes processed at most <see cref="InboundOptions.MaxConcurrency"/> at once and
/// each lane's requests one after another. A burst from one tenant is therefore queued behind its
/// own lane (and in Kafka), never taking more than one slot, and never refused.
/// </summary>
public sealed class InboundProcessing(IWorkScopeFactory scopes, InboundOptions options)
{
    public const string Actor = "system:inbound";

    public Task ProcessAsync(IReadOnlyList<InboundEnvelope> batch, CancellationToken ct) =>
        Parallel.ForEachAsync(batch.GroupBy(e => e.Key).ToList(), new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = ct },
            async (lane, token) =>
            {
                await using var scope = scopes.CreateScope(Actor);
                var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
                foreach (var envelope in lane) await mediator.Send(new ProcessInboundRequestCommand(envelope), token);
            });
}
