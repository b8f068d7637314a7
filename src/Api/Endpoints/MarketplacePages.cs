using Integrations.Application.Apps;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Models;
using Integrations.Domain.Marketplace;
using static Integrations.Api.OAuth.OAuthHtml;

namespace Integrations.Api.Endpoints;

/// <summary>
/// The marketplace's HTML: the index (search, categories, one page of apps, a link to the next) and
/// an app's detail. No scripts; every value is HTML-encoded, since developers choose names,
/// descriptions and URLs.
/// </summary>
public static class MarketplacePages
{
    public const int PageSize = 24;
    private const int ExcerptLength = 200;

    public static string Index(CursorPage<MarketplaceAppDto>? page, string? q, string? category, IReadOnlyList<ValidationError>? errors = null)
    {
        var options = string.Join("", AppCategories.Labels.Select(c =>
            $"""<option value="{E(c.Key)}"{(c.Key == category ? " selected" : "")}>{E(c.Value)}</option>"""));
        var links = string.Join(" · ", AppCategories.Labels.Select(c => c.Key == category
            ? $"""<strong aria-current="page">{E(c.Value)}</strong>"""
            : $"""<a href="/marketplace?category={Uri.EscapeDataString(c.Key)}">{E(c.Value)}</a>"""));
        var problems = errors is null ? "" : $"""<p class="error" id="error" role="alert">{string.Join(" ", errors.Select(e => E(e.Message)))}</p>""";
        return $"""
            <h1>Marketplace</h1>
            <p class="muted">Apps that connect to your organisation's data. Each asks for the permissions listed on its page before you install it.</p>
            <form method="get" action="/marketplace" role="search">
              <label for="q">Search apps</label>
              <input type="text" id="q" name="q" value="{E(q)}" maxlength="100">
              <label for="category">Category</label>
              <select id="category" name="category"><option value="">All categories</option>{options}</select>
              <button type="submit">Search</button>
            </form>
            <nav aria-label="Categories"><p><a href="/marketplace">All</a> · {links}</p></nav>
            {problems}
            {(page is null ? "" : Results(page, q, category))}
            """;
    }

    private static string Results(CursorPage<MarketplaceAppDto> page, string? q, string? category)
    {
        if (page.Data.Count == 0)
            return """<p id="no-apps">No app matches. Try another search or category.</p>""";
        var items = string.Join("", page.Data.Select(m => $"""
            <li class="app"><h2><a href="/marketplace/apps/{Uri.EscapeDataString(m.ClientId)}">{E(m.Name)}</a></h2>
            <p class="muted">{E(AppCategories.Labels.GetValueOrDefault(m.Category, m.Category))}</p><p>{E(Excerpt(m.Description))}</p></li>
            """));
        var next = page.HasMore && page.NextCursor is { } cursor
            ? $"""<p><a id="next-page" href="/marketplace?{Query(q, category)}cursor={Uri.EscapeDataString(cursor)}">More apps</a></p>"""
            : "";
        return $"""<ul class="apps" id="apps">{items}</ul>{next}""";
    }

    private static string Query(string? q, string? category) =>
        (string.IsNullOrEmpty(q) ? "" : $"q={Uri.EscapeDataString(q)}&amp;") + (string.IsNullOrEmpty(category) ? "" : $"category={Uri.EscapeDataString(category)}&amp;");

    private static string Excerpt(string text) => text.Length <= ExcerptLength ? text : text[..ExcerptLength].TrimEnd() + "…";

    /// <summary>The public detail page: every value is HTML-encoded (developers choose names, descriptions and URLs).</summary>
    public static string Detail(MarketplaceAppDto m)
    {
        var screenshots = m.ScreenshotUrls.Count == 0 ? "" : $"""
            <h2>Screenshots</h2>
            <div class="screenshots">{string.Join("", m.ScreenshotUrls.Select((url, i) =>
                $"<figure><img src=\"{E(url)}\" alt=\"{E($"Screenshot {i + 1} of {m.Name}")}\" loading=\"lazy\" style=\"max-width:100%\"></figure>"))}</div>
            """;
        return $"""
            <h1>{E(m.Name)}</h1>
            <p>{E(m.Description)}</p>
            {(m.HomepageUrl is null ? "" : $"<p class=\"muted\">Developer site: {E(m.HomepageUrl)}</p>")}
            {screenshots}
            <h2>Permissions</h2>
            <ul class="scopes">{string.Join("", m.Permissions.Select(p => $"<li><code>{E(p.Name)}</code>: {E(p.Description)}</li>"))}</ul>
            """;
    }
}
