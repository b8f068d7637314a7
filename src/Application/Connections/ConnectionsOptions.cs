namespace Integrations.Application.Connections;

/// <summary>Settings of connections (configuration section "Connections", docs/configuration.md).</summary>
public sealed class ConnectionsOptions
{
    public const string Section = "Connections";

    /// <summary>How long a connect URL can be used (the state's validity).</summary>
    public TimeSpan AuthorizationTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The platform's public base URL that providers redirect browsers to (the callback is
    /// &lt;base&gt;/connect/callback/&lt;provider&gt;, registered at each provider). Unset: OAuth:Issuer, else the request's own.
    /// </summary>
    public string? CallbackBaseUrl { get; set; }

    /// <summary>Every call to a provider's token, revocation and health-check endpoints gives up after this.</summary>
    public TimeSpan ProviderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public HealthCheckSettings HealthCheck { get; set; } = new();

    public TokenSweepSettings TokenSweep { get; set; } = new();

    public void Validate()
    {
        if (AuthorizationTimeout <= TimeSpan.Zero || AuthorizationTimeout > TimeSpan.FromHours(24))
            throw new InvalidOperationException("Connections:AuthorizationTimeout must be positive and at most 24 hours.");
        if (CallbackBaseUrl is { Length: > 0 } callback && !(Uri.TryCreate(callback, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
            throw new InvalidOperationException("Connections:CallbackBaseUrl must be an absolute http(s) URL.");
        if (ProviderTimeout <= TimeSpan.Zero) throw new InvalidOperationException("Connections:ProviderTimeout must be positive.");
        if (HealthCheck.Interval < TimeSpan.FromSeconds(1) || HealthCheck.DisconnectAfter < 1 || HealthCheck.MaxConcurrency < 1 || HealthCheck.PollInterval <= TimeSpan.Zero)
            throw new InvalidOperationException("Connections:HealthCheck: Interval must be at least a second, DisconnectAfter and MaxConcurrency at least 1, PollInterval positive.");
        if (TokenSweep.Interval <= TimeSpan.Zero || TokenSweep.MaxIdle <= TimeSpan.Zero || TokenSweep.BatchSize < 1 || TokenSweep.MaxConcurrency < 1)
            throw new InvalidOperationException("Connections:TokenSweep: Interval and MaxIdle must be positive, BatchSize and MaxConcurrency at least 1.");
    }
}

public sealed class HealthCheckSettings
{
    /// <summary>How often each connection is checked; each keeps its own phase within it (HealthSchedule).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Failed checks in a row that disconnect a connection.</summary>
    public int DisconnectAfter { get; set; } = 3;

    /// <summary>Checks in flight at once in one Workers process.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>How often the Workers look for due checks.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class TokenSweepSettings
{
    /// <summary>How often the Workers look for tokens to refresh.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A refresh token not used for this long is exercised anyway, so a dead one is found early.</summary>
    public TimeSpan MaxIdle { get; set; } = Domain.Connections.TokenPolicy.DefaultMaxIdle;

    public int BatchSize { get; set; } = 200;

    /// <summary>Refreshes in flight at once in one Workers process.</summary>
    public int MaxConcurrency { get; set; } = 4;
}
