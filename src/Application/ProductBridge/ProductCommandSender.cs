using System.Text.Json;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.ProductBridge;

namespace Integrations.Application.ProductBridge;

/// <summary>A command for the product, as a connector (or the API) asks for it.</summary>
/// <param name="CommandId">
/// A deterministic id makes the command idempotent: a connector that derives it from what caused
/// the command (the inbound message, the event) issues it once however often it handles that.
/// Null: a new UUIDv7.
/// </param>
/// <param name="CausationId">What caused it (an inbound message id, an event id); null: the current request's causation.</param>
public sealed record NewProductCommand(Guid TenantId, string Command, EntityTarget? Target, JsonElement Data, CommandOrigin Origin,
    Guid? CommandId = null, string? CausationId = null);

/// <param name="Issued">What was issued now; null when the id had been issued before (nothing was published again).</param>
public sealed record IssuedProductCommand(Guid Id, ProductCommandIssued? Issued)
{
    public bool AlreadyIssued => Issued is null;
}

/// <summary>
/// Sends commands to the product (ADR 0015): each becomes a stream of its own (the command log) and
/// a message on integrations.product-commands.v1 through the outbox, in the caller's unit of work,
/// so a command exists exactly when the change that caused it commits. Connectors call it from
/// their pipelines inside their own transaction; the API's SendProductCommandCommand is one caller.
/// Commands that break <see cref="ProductCommandRules"/> are refused (422 through the API).
/// </summary>
public sealed class ProductCommandSender(AggregateStore aggregates, IOutbox outbox, IClock clock, IRequestContext context)
{
    public async Task<IssuedProductCommand> SendAsync(NewProductCommand command, CancellationToken ct) => (await SendAsync([command], ct))[0];

    /// <summary>Many at a time: one read, one append and one outbox insert; published in the given order.</summary>
    public async Task<IReadOnlyList<IssuedProductCommand>> SendAsync(IReadOnlyList<NewProductCommand> commands, CancellationToken ct)
    {
        Check(commands);
        var now = clock.UtcNow;
        // UUIDv7s of one millisecond are random after the timestamp; sorted they keep the request order.
        var fresh = new Queue<Guid>(commands.Where(c => c.CommandId is null).Select(_ => Guid.CreateVersion7(now)).OrderBy(id => id.ToString("N"), StringComparer.Ordinal));
        var ids = commands.Select(c => c.CommandId ?? fresh.Dequeue()).ToList();

        // Caller-given ids may have been issued before; fresh ones cannot have been, so they are not read.
        var given = commands.Select((c, i) => (c, i)).Where(x => x.c.CommandId is not null)
            .Select(x => new StreamKey(ProductCommandDecider.StreamId(ids[x.i]), x.c.TenantId)).DistinctBy(k => k.StreamId).ToList();
        var loaded = given.Count == 0
            ? new Dictionary<string, Loaded<ProductCommandState>>()
            : (await aggregates.LoadAsync(ProductCommandDecider.Decider, given, ct)).ToDictionary();
        var streams = commands.Select((c, i) => new StreamCommands<ProductCommandAction>(ProductCommandDecider.StreamId(ids[i]), c.TenantId,
                [new IssueProductCommand(ids[i], c.TenantId, c.Command, c.Target, c.Data.GetRawText(), c.Origin, context.CorrelationId,
                    c.CausationId ?? context.CausationId, now)]))
            // The same id twice in one call is one command: the decider issues the first and ignores the second.
            .GroupBy(s => s.StreamId)
            .Select(g => g.First() with { Commands = [.. g.SelectMany(s => s.Commands)] })
            .ToList();
        foreach (var stream in streams) loaded.TryAdd(stream.StreamId, new Loaded<ProductCommandState>(ProductCommandDecider.Decider.Initial, 0));

        var decided = (await aggregates.HandleAsync(ProductCommandDecider.Decider, streams, ct, loaded))
            .Select((d, i) => (streams[i].StreamId, Issued: d.Events.OfType<ProductCommandIssued>().SingleOrDefault()))
            .ToDictionary(d => d.StreamId, d => d.Issued);
        var published = decided.Values.OfType<ProductCommandIssued>().OrderBy(e => ids.IndexOf(e.CommandId)).ToList();
        await outbox.EnqueueAsync(published.Select(e => ProductCommandEnvelope.Of(e).ToOutboxMessage()).ToList(), ct);

        // A repeated id in the call: its first occurrence reports the issue, the others that it was issued already.
        var reported = new HashSet<Guid>();
        return ids.Select(id => new IssuedProductCommand(id, reported.Add(id) ? decided[ProductCommandDecider.StreamId(id)] : null)).ToList();
    }

    private static void Check(IReadOnlyList<NewProductCommand> commands)
    {
        var errors = new List<ValidationError>();
        for (var i = 0; i < commands.Count; i++)
        {
            var prefix = commands.Count == 1 ? "" : $"commands[{i}].";
            if (commands[i].TenantId == Guid.Empty) errors.Add(new ValidationError(prefix + "tenant_id", "required", "tenant_id is required."));
            errors.AddRange(ProductCommandRules.Check(commands[i].Command, commands[i].Target, commands[i].Data, commands[i].Origin)
                .Select(p => new ValidationError(prefix + p.Field, p.Code, p.Message)));
        }
        if (errors.Count > 0) throw new ValidationException(errors);
    }
}
