using Integrations.Domain.Tenants;

namespace Integrations.Api.RateLimiting;

/// <summary>Requests per window by caller (ADR 0007, docs/api/rate-limits.md); section <c>RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>The fixed window; limits are per window. One minute unless a deployment has a measured reason.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Per tenant, by plan; all keys of a tenant share it.</summary>
    public Dictionary<string, int> Plans { get; set; } = new(StringComparer.Ordinal)
    {
        [Domain.Tenants.Plans.Starter] = 100,
        [Domain.Tenants.Plans.Pro] = 500,
        [Domain.Tenants.Plans.Enterprise] = 2000,
    };

    /// <summary>The platform administrator's key: generous, but a runaway script cannot take the database down.</summary>
    public int Admin { get; set; } = 10_000;

    /// <summary>Per client address, for requests without valid credentials: bounds credential guessing and probing.</summary>
    public int Anonymous { get; set; } = 60;

    /// <summary>
    /// Per client address, for the authorization server's endpoints (/oauth: sign-in, consent, token,
    /// revocation, introspection): bounds password and client-secret guessing (ADR 0009).
    /// </summary>
    public int OAuthPerAddress { get; set; } = 300;

    /// <summary>A plan without a configured limit gets the smallest plan's.</summary>
    public int ForPlan(string? plan) =>
        plan is not null && Plans.TryGetValue(plan, out var limit) ? limit : Plans.GetValueOrDefault(Domain.Tenants.Plans.Starter, 100);
}
