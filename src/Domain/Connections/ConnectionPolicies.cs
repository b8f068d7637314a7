namespace Integrations.Domain.Connections;

/// <summary>When a connection's tokens are refreshed, and how long a failed refresh waits.</summary>
public static class TokenPolicy
{
    public static readonly TimeSpan DefaultExpiryBuffer = TimeSpan.FromMinutes(15);

    /// <summary>Every refresh token is exercised at least this often, so a provider that expires idle ones (or a broken one) is noticed early.</summary>
    public static readonly TimeSpan DefaultMaxIdle = TimeSpan.FromHours(24);

    public static readonly TimeSpan FirstCooldown = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxCooldown = TimeSpan.FromMinutes(30);

    /// <summary>Whether the access token must be refreshed before use: it expires within the buffer, and no cooldown holds.</summary>
    public static bool RefreshDue(ConnectionState state, TimeSpan expiryBuffer, DateTimeOffset now) =>
        state.Usable && state.AccessExpiresAt is { } expires && expires - expiryBuffer <= now && !CoolingDown(state, now);

    /// <summary>
    /// Whether the provider takes a refresh now: always, unless it has a <see cref="OAuthSettings.RefreshWindow"/> and more than
    /// that remains of the access token. Renewals after a refused call and the sweep's exercise of idle refresh tokens ask this
    /// first, so they never spend a call (and, with single-use refresh tokens, a risk) on a refresh the provider refuses.
    /// </summary>
    public static bool RefreshAllowed(ConnectionState state, TimeSpan? refreshWindow, DateTimeOffset now) =>
        refreshWindow is not { } window || state.AccessExpiresAt is not { } expires || expires - window <= now;

    public static bool CoolingDown(ConnectionState state, DateTimeOffset now) => state.RefreshRetryAt is { } retry && retry > now;

    /// <summary>
    /// How long to wait after the n-th transient refresh failure in a row: doubling from 30 s up to
    /// 30 min, with up to 20 % taken off at random (<paramref name="jitter"/> in [0, 1)) so that
    /// connections that failed together do not retry together.
    /// </summary>
    public static TimeSpan Cooldown(int failuresInARow, double jitter)
    {
        var exponent = Math.Clamp(failuresInARow - 1, 0, 16);
        var full = Math.Min(FirstCooldown.TotalSeconds * Math.Pow(2, exponent), MaxCooldown.TotalSeconds);
        return TimeSpan.FromSeconds(full * (1 - 0.2 * Math.Clamp(jitter, 0, 1)));
    }
}

/// <summary>When a connection's periodic health check runs.</summary>
public static class HealthSchedule
{
    /// <summary>
    /// The next check after <paramref name="now"/>: each connection keeps its own phase within the
    /// interval (from its id), so ten thousand connections checked hourly are spread over the hour
    /// rather than all checked at its start.
    /// </summary>
    public static DateTimeOffset NextCheck(Guid connectionId, TimeSpan interval, DateTimeOffset now)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "The interval must be positive.");
        var phase = Phase(connectionId, interval);
        var sinceEpoch = now.UtcTicks - phase;
        var next = (sinceEpoch / interval.Ticks + 1) * interval.Ticks + phase;
        return new DateTimeOffset(next, TimeSpan.Zero);
    }

    /// <summary>The connection's offset in ticks within the interval: its id's last 8 bytes, uniformly spread.</summary>
    public static long Phase(Guid connectionId, TimeSpan interval)
    {
        Span<byte> bytes = stackalloc byte[16];
        connectionId.TryWriteBytes(bytes);
        // The last 8 bytes of a v7 id are random (the first hold the time, which would bunch ids made together).
        var random = BitConverter.ToUInt64(bytes[8..]);
        return (long)(random % (ulong)interval.Ticks);
    }
}
