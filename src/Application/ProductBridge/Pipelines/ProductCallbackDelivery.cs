using System.Collections.Concurrent;
using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.ProductBridge;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.ProductBridge.Pipelines;

/// <summary>A command read from integrations.product-commands.v1: its ids, its key and its value as published.</summary>
public sealed record ConsumedProductCommand(Guid CommandId, Guid TenantId, string Key, string Body);

/// <summary>
/// The Workers' callback pipeline (product-callbacks): a batch of commands from the topic is POSTed
/// to the callbacks of the tenants that have one, and the outcomes recorded in one transaction
/// before the batch's offsets are committed, so a crash at any point sends the batch again rather
/// than losing it (receivers deduplicate by webhook-id, the command id). One record's commands
/// (one key) go one after another, in topic order; different records go side by side
/// (ProductBridge:CallbackConcurrency). Commands whose outcome is recorded already (a redelivered
/// batch) are not sent again; tenants without a callback are skipped.
/// </summary>
public sealed class ProductCallbackDelivery(
    IProductCallbackReadModel callbacks,
    IProductCommandReadModel commands,
    IProductCallbackSender sender,
    AggregateStore aggregates,
    IUnitOfWork unitOfWork,
    IClock clock,
    ProductCallbackOptions options,
    ILogger<ProductCallbackDelivery> logger)
{
    /// <returns>How many commands were sent to a callback (delivered or not).</returns>
    public async Task<int> DeliverAsync(IReadOnlyList<ConsumedProductCommand> batch, CancellationToken ct)
    {
        var unique = batch.DistinctBy(c => c.CommandId).ToList();
        var targets = await callbacks.FindTargetsAsync(unique.Select(c => c.TenantId).Distinct().ToList(), ct);
        var withCallback = unique.Where(c => targets.ContainsKey(c.TenantId)).ToList();
        if (withCallback.Count == 0) return 0;

        var statuses = await commands.StatusesAsync(withCallback.Select(c => (c.TenantId, c.CommandId)).ToList(), ct);
        var due = withCallback.Where(c => statuses.TryGetValue(c.CommandId, out var status) && status == ProductCommandStatuses.Published).ToList();
        foreach (var missing in withCallback.Where(c => !statuses.ContainsKey(c.CommandId)))
            // Published only after its transaction committed, so it is in the log: a message nobody issued.
            logger.LogWarning("Skipping product command {CommandId} of tenant {TenantId}: it is not in the command log", missing.CommandId, missing.TenantId);
        if (due.Count == 0) return 0;

        var outcomes = new ConcurrentBag<(ConsumedProductCommand Command, CallbackOutcome Outcome, DateTimeOffset At)>();
        var byRecord = due.GroupBy(c => c.Key).Select(g => g.ToList()).ToList();
        await Parallel.ForEachAsync(byRecord, new ParallelOptions { MaxDegreeOfParallelism = options.CallbackConcurrency, CancellationToken = ct },
            async (record, token) =>
            {
                foreach (var command in record)
                    outcomes.Add((command, await sender.SendAsync(targets[command.TenantId], command.CommandId, command.Body, token), clock.UtcNow));
            });

        await UnitOfWorkRetry.ExecuteAsync(unitOfWork, async token =>
        {
            var recorded = outcomes.Select(o => new StreamCommands<ProductCommandAction>(ProductCommandDecider.StreamId(o.Command.CommandId), o.Command.TenantId,
                [new RecordCallbackOutcome(o.Outcome.Delivered, o.Outcome.Attempts, o.Outcome.StatusCode, o.Outcome.ErrorKind, o.At)])).ToList();
            return await aggregates.HandleAsync(ProductCommandDecider.Decider, recorded, token);
        }, nameof(ProductCallbackDelivery), logger, ct);

        foreach (var (command, outcome, _) in outcomes.Where(o => !o.Outcome.Delivered))
            logger.LogWarning("The callback of tenant {TenantId} did not take product command {CommandId} after {Attempts} attempts ({Status})",
                command.TenantId, command.CommandId, outcome.Attempts, outcome.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? outcome.ErrorKind);
        return due.Count;
    }
}
