namespace Integrations.Application.Connectors;

/// <summary>
/// The writes the platform makes at providers, remembered so that the provider's webhook reporting them does
/// not come back as a change of theirs (ADR 0027): comparing the webhook's user with "ours" does not work
/// for OAuth apps, whose writes are attributed to the person who connected. A write is remembered when
/// the call that makes it is created (a webhook may arrive before the call's answer does), settled when
/// that call succeeds (<see cref="EchoWindow"/> runs from then) and forgotten when it is dead-lettered.
/// </summary>
public interface IConnectorWrites
{
    /// <summary>How long after a write succeeded its echo is expected; a change to the same value later is someone's own again.</summary>
    public static readonly TimeSpan EchoWindow = TimeSpan.FromMinutes(10);

    /// <summary>Remembers that call <paramref name="callId"/> makes <paramref name="write"/>, in the caller's transaction.</summary>
    Task RememberAsync(Guid tenantId, Guid connectionId, Guid callId, ProviderWrite write, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// The calls' writes were made (<paramref name="succeeded"/>) or will not be (<paramref name="failed"/>: forgotten);
    /// writes settled longer than <see cref="EchoWindow"/> ago are removed.
    /// </summary>
    Task SettleAsync(IReadOnlyCollection<Guid> succeeded, IReadOnlyCollection<Guid> failed, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Whether a change the provider reports is the echo of a remembered write: one still under way or settled within
    /// <see cref="EchoWindow"/>, to the same value (ignoring case), not yet matched by another change. A match is used up
    /// by <paramref name="changeId"/> (the provider's id of the change), so the same change delivered again still matches
    /// and a later change to the same value does not.
    /// </summary>
    Task<bool> ConsumeAsync(Guid tenantId, Guid connectionId, ProviderWrite change, string changeId, DateTimeOffset now, CancellationToken ct);
}
