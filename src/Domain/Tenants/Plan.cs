namespace Integrations.Domain.Tenants;

/// <summary>Commercial plans; the wire names are the lower-case values.</summary>
public static class Plans
{
    public const string Starter = "starter";
    public const string Pro = "pro";
    public const string Enterprise = "enterprise";

    public static readonly IReadOnlyList<string> All = [Starter, Pro, Enterprise];

    public static bool IsValid(string? plan) => plan is not null && All.Contains(plan);
}
