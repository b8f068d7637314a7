namespace Integrations.Application.Connectors.Registrations;

/// <summary>Connectors:Registrations: how registrations at providers are kept alive (ADR 0028; docs/configuration.md).</summary>
public sealed class RegistrationOptions
{
    /// <summary>False: the Workers keep no registrations (an operator who registers the providers' webhooks by other means); "check now" still works.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often a registration is checked at the provider (it still exists, as wanted).</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A registration expiring within this is renewed (Jira's last 7 of 30 days).</summary>
    public TimeSpan RenewWithin { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The wait after a first failed check; it doubles with each failure in a row, up to <see cref="CheckEvery"/>.</summary>
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed checks in a row that tell the tenant (an incident); the next success resolves it.</summary>
    public int FailuresBeforeNotice { get; set; } = 2;

    /// <summary>How often the Workers look for due checks; also how soon a route change is acted on.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a check is reserved for the process that claimed it; if that process dies, it is due again then.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Checks one Workers process runs at once.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// The public base URL providers send their notifications to (the connection's inbound URL is below
    /// it). Unset: Connections:CallbackBaseUrl, else OAuth:Issuer; without any, nothing is registered.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public string? Problem() =>
        CheckEvery < TimeSpan.FromSeconds(1) || RenewWithin <= TimeSpan.Zero || FirstRetry <= TimeSpan.Zero || FailuresBeforeNotice < 1
        || PollInterval <= TimeSpan.Zero || Lease <= TimeSpan.Zero || MaxConcurrency < 1
            ? "Connectors:Registrations: CheckEvery must be at least 1 s, RenewWithin, FirstRetry, PollInterval and Lease positive, FailuresBeforeNotice and MaxConcurrency at least 1."
            : PublicBaseUrl is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
                ? "Connectors:Registrations:PublicBaseUrl must be an absolute http(s) URL."
                : null;
}
