using Integrations.Domain.Common;

namespace Integrations.Domain.ProductBridge;

// A command the platform sent to the product (ADR 0015): the platform never writes the product's
// records, it asks the product to, on integrations.product-commands.v1 and, when the tenant has
// one, through its signed HTTP callback. The stream is the command's log entry.

public interface IProductCommandEvent
{
    Guid CommandId { get; }
}

/// <summary>The wire values of a command's status.</summary>
public static class ProductCommandStatuses
{
    /// <summary>Committed and handed to the outbox, hence on the topic; with a callback, not yet answered by it.</summary>
    public const string Published = "published";

    /// <summary>The tenant's callback answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>The tenant's callback refused the command or could not be reached after the retries; the command stays on the topic.</summary>
    public const string CallbackFailed = "callback_failed";

    public static readonly IReadOnlyList<string> All = [Published, Delivered, CallbackFailed];
}

/// <param name="DataJson">The command's data, a JSON object, as the sender gave it.</param>
public sealed record ProductCommandIssued(Guid CommandId, Guid TenantId, string Command, EntityTarget? Target, string DataJson, CommandOrigin Origin,
    string CorrelationId, string? CausationId, DateTimeOffset IssuedAt) : IProductCommandEvent;

public sealed record ProductCommandCallbackDelivered(Guid CommandId, Guid TenantId, int Attempts, int StatusCode, DateTimeOffset DeliveredAt) : IProductCommandEvent;

/// <param name="StatusCode">The callback's last answer, when it answered.</param>
/// <param name="ErrorKind">Why there was no answer (the webhook error kinds, or circuit_open), when there was none.</param>
public sealed record ProductCommandCallbackFailed(Guid CommandId, Guid TenantId, int Attempts, int? StatusCode, string? ErrorKind, DateTimeOffset FailedAt)
    : IProductCommandEvent;

public abstract record ProductCommandAction;

public sealed record IssueProductCommand(Guid CommandId, Guid TenantId, string Command, EntityTarget? Target, string DataJson, CommandOrigin Origin,
    string CorrelationId, string? CausationId, DateTimeOffset Now) : ProductCommandAction;

/// <summary>What the tenant's callback made of the command, after the retries.</summary>
public sealed record RecordCallbackOutcome(bool Delivered, int Attempts, int? StatusCode, string? ErrorKind, DateTimeOffset Now) : ProductCommandAction;

public sealed record ProductCommandState(Guid CommandId, Guid TenantId, string Status)
{
    public static readonly ProductCommandState None = new(Guid.Empty, Guid.Empty, "");

    public bool Exists => Status.Length > 0;
}

public static class ProductCommandDecider
{
    public static readonly Decider<ProductCommandAction, ProductCommandState, IProductCommandEvent> Decider = new(Decide, Evolve, ProductCommandState.None);

    public static string StreamId(Guid commandId) => $"product_command-{commandId:N}";

    public static IReadOnlyList<IProductCommandEvent> Decide(ProductCommandAction command, ProductCommandState state) => command switch
    {
        // The same command id again (a connector handling a redelivered message): issued once.
        IssueProductCommand when state.Exists => [],
        IssueProductCommand c => [new ProductCommandIssued(c.CommandId, c.TenantId, c.Command, c.Target, c.DataJson, c.Origin, c.CorrelationId, c.CausationId, c.Now)],
        RecordCallbackOutcome when !state.Exists => throw new DomainException("product_command_not_found", "The command does not exist."),
        // A redelivered message whose outcome is already recorded: the first outcome stands.
        RecordCallbackOutcome when state.Status != ProductCommandStatuses.Published => [],
        RecordCallbackOutcome { Delivered: true, StatusCode: { } status } c => [new ProductCommandCallbackDelivered(state.CommandId, state.TenantId, c.Attempts, status, c.Now)],
        RecordCallbackOutcome { Delivered: true } => throw new DomainException("invalid_outcome", "A delivered command has the callback's status code."),
        RecordCallbackOutcome c => [new ProductCommandCallbackFailed(state.CommandId, state.TenantId, c.Attempts, c.StatusCode, c.ErrorKind, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown product command action."),
    };

    public static ProductCommandState Evolve(ProductCommandState state, IProductCommandEvent @event) => @event switch
    {
        ProductCommandIssued e => new ProductCommandState(e.CommandId, e.TenantId, ProductCommandStatuses.Published),
        ProductCommandCallbackDelivered => state with { Status = ProductCommandStatuses.Delivered },
        ProductCommandCallbackFailed => state with { Status = ProductCommandStatuses.CallbackFailed },
        _ => state,
    };
}
