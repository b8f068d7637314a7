namespace Integrations.Application.Common.Behaviours;

/// <summary>
/// Per request: whether the command's result was replayed from its Idempotency-Key record instead
/// of being produced now, so the host can tell the client (Idempotent-Replayed: true, like Stripe).
/// </summary>
public sealed class IdempotencyOutcome
{
    public bool Replayed { get; internal set; }
}
