namespace Integrations.Domain.Marketplace;

/// <summary>
/// Where an app sits in the marketplace index. A fixed list (ids are the wire values), so the
/// index's category links stay few and meaningful; an app registered without one is <see cref="Other"/>.
/// </summary>
public static class AppCategories
{
    public const string Other = "other";

    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        ["communication"] = "Communication",
        ["crm"] = "CRM and sales",
        ["accounting"] = "Accounting and finance",
        ["project-management"] = "Project management",
        ["productivity"] = "Productivity and automation",
        ["analytics"] = "Analytics and reporting",
        ["developer-tools"] = "Developer tools",
        [Other] = "Other",
    };

    public static IReadOnlyList<string> All { get; } = [.. Labels.Keys];

    public static bool IsKnown(string? category) => category is not null && Labels.ContainsKey(category);
}
