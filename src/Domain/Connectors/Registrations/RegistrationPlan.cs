namespace Integrations.Domain.Connectors.Registrations;

/// <summary>
/// What a connection needs registered at its provider so the provider tells us about changes (a Jira
/// dynamic webhook for the projects whose statuses come back, later a Graph subscription …).
/// </summary>
/// <param name="Kind">What sort of registration, e.g. <c>jira.webhook</c>; a connection has at most one of each kind.</param>
/// <param name="Url">Where the provider sends its notifications: the connection's own inbound URL.</param>
/// <param name="Events">The provider's event names.</param>
/// <param name="Filter">The provider's filter (Jira: JQL), or null.</param>
public sealed record WantedRegistration(string Kind, string Url, IReadOnlyList<string> Events, string? Filter)
{
    /// <summary>Equal for equal registrations: a changed URL, event list or filter means a new registration.</summary>
    public string Fingerprint => string.Join('\n', [Url, string.Join(',', Events.Order(StringComparer.Ordinal)), Filter ?? ""]);
}

/// <summary>What we recorded about a registration the last time we looked.</summary>
/// <param name="ExternalId">The provider's id for it; null before the first registration succeeded.</param>
/// <param name="Fingerprint">The <see cref="WantedRegistration.Fingerprint"/> it was registered with.</param>
public sealed record KeptRegistration(string? ExternalId, string? Fingerprint, DateTimeOffset? ExpiresAt);

/// <summary>The registration as the provider lists it now; null when the provider no longer has it.</summary>
/// <param name="ExpiresAt">Null for registrations that do not expire.</param>
public sealed record ObservedRegistration(string ExternalId, DateTimeOffset? ExpiresAt);

/// <summary>The one thing a check does.</summary>
public enum RegistrationStep
{
    /// <summary>It exists as wanted and is not close to expiring.</summary>
    Keep,

    /// <summary>Never registered, or gone at the provider (expired, deleted by someone): register it.</summary>
    Register,

    /// <summary>It expires within the renewal window: extend it.</summary>
    Renew,

    /// <summary>What is wanted changed (another URL, events or filter): remove the old one, register the new one.</summary>
    Replace,

    /// <summary>Nothing is wanted any more (no route needs it): remove it.</summary>
    Remove,

    /// <summary>Nothing is wanted and nothing is registered.</summary>
    Forget,
}

/// <summary>
/// The rules of registration health (issue 20, ADR 0028), pure: what a check does given what is
/// wanted, what we kept and what the provider lists, and when the next check is due.
/// </summary>
public static class RegistrationPlan
{
    public static RegistrationStep Decide(WantedRegistration? wanted, KeptRegistration? kept, ObservedRegistration? observed, DateTimeOffset now,
        TimeSpan renewWithin)
    {
        if (wanted is null) return observed is null ? RegistrationStep.Forget : RegistrationStep.Remove;
        if (observed is null) return RegistrationStep.Register;
        if (kept?.Fingerprint != wanted.Fingerprint) return RegistrationStep.Replace;
        return observed.ExpiresAt is { } expires && expires - now <= renewWithin ? RegistrationStep.Renew : RegistrationStep.Keep;
    }

    /// <summary>
    /// After a successful check: the regular interval, but early enough to renew inside the window
    /// (<paramref name="renewWithin"/> before expiry, less one interval's slack) so a missed check still leaves time.
    /// </summary>
    public static DateTimeOffset NextCheck(DateTimeOffset now, DateTimeOffset? expiresAt, TimeSpan checkEvery, TimeSpan renewWithin)
    {
        var next = now + checkEvery;
        if (expiresAt is { } expires && expires - renewWithin < next) next = expires - renewWithin;
        return next > now ? next : now + TimeSpan.FromMinutes(1);
    }

    /// <summary>After a failed check: sooner than the regular interval, doubling with each failure in a row, never later than the interval.</summary>
    public static DateTimeOffset RetryAt(DateTimeOffset now, int failuresInARow, TimeSpan firstRetry, TimeSpan checkEvery)
    {
        var factor = Math.Pow(2, Math.Clamp(failuresInARow - 1, 0, 20));
        var wait = TimeSpan.FromTicks((long)Math.Min(firstRetry.Ticks * factor, checkEvery.Ticks));
        return now + wait;
    }
}
