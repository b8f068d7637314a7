namespace Integrations.Application.ConsoleSessions;

/// <summary>The single-use links that open the console for one tenant (ADR 0019); only their SHA-256 is kept.</summary>
public interface IConsoleSessionStore
{
    Task InsertAsync(Guid id, Guid tenantId, string tokenHash, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken ct);

    /// <summary>
    /// Marks the link used if it is unused and unexpired at <paramref name="at"/>, in one statement so
    /// that of two concurrent opens only one wins; otherwise tells why not.
    /// </summary>
    Task<ConsoleSessionRedemption> RedeemAsync(string tokenHash, DateTimeOffset at, CancellationToken ct);
}

public enum ConsoleSessionOutcome
{
    Redeemed,
    Unknown,
    AlreadyUsed,
    Expired,
}

public sealed record ConsoleSessionRedemption(ConsoleSessionOutcome Outcome, Guid? SessionId = null, Guid? TenantId = null);
