using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Integrations.Domain.EventTypes;
using Markdig;

namespace Integrations.Api.Docs;

/// <summary>
/// /docs: the guides (docs/api/*.md, rendered with Markdig), the API reference (Redoc over
/// /openapi/v1.json), the event catalog generated from <see cref="EventTypeCatalog"/> and the
/// changelog. Everything is embedded in the assembly, so the docs work offline and from any
/// working directory. Code examples are included from docs/api/examples, the very files CI runs
/// against a live server (tests/contract/run.sh), so what the docs show cannot rot.
/// </summary>
public static partial class DocsEndpoints
{
    private static readonly (string Slug, string Title)[] Pages =
    [
        ("", "Overview"),
        ("getting-started", "Getting started"),
        ("reference", "API reference"),
        ("conventions", "Conventions and errors"),
        ("rate-limits", "Rate limits"),
        ("event-catalog", "Event catalog"),
        ("changelog", "Changelog"),
    ];

    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();
    private static readonly ConcurrentDictionary<string, string?> Rendered = new(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        var docs = app.MapGroup("/docs").AllowAnonymous().ExcludeFromDescription();
        docs.MapGet("/", () => Page(""));
        docs.MapGet("/reference", () => Results.Content(ReferenceHtml, "text/html; charset=utf-8"));
        docs.MapGet("/assets/redoc.standalone.js", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Stream(Resource("docs/assets/redoc.standalone.js")!, "text/javascript; charset=utf-8");
        });
        docs.MapGet("/{slug}", (string slug) => Page(slug));
        return app;
    }

    private static IResult Page(string slug)
    {
        // Only known pages are rendered (once) and kept: arbitrary slugs must not grow the cache.
        var html = Pages.Any(p => p.Slug == slug) ? Rendered.GetOrAdd(slug, Render) : null;
        return html is null
            ? Results.Content(Layout("Not found", "<h1>Not found</h1><p>No such page. <a href=\"/docs\">Back to the overview</a>.</p>", ""), "text/html; charset=utf-8", statusCode: 404)
            : Results.Content(html, "text/html; charset=utf-8");
    }

    private static string? Render(string slug)
    {
        var markdown = slug switch
        {
            "event-catalog" => EventCatalogMarkdown(),
            "changelog" => Text("docs/changelog.md"),
            "" => Text("docs/index.md"),
            _ => Text($"docs/{slug}.md"),
        };
        if (markdown is null) return null;
        var body = Markdig.Markdown.ToHtml(ExpandExamples(markdown), Markdown);
        return Layout(Pages.First(p => p.Slug == slug).Title, body, slug);
    }

    /// <summary>A line "{{examples name}}" becomes the cURL, JavaScript and Python versions of docs/api/examples/name.*.</summary>
    private static string ExpandExamples(string markdown) => ExampleLine().Replace(markdown, match =>
    {
        var name = match.Groups[1].Value;
        var text = new StringBuilder();
        foreach (var (extension, language, label) in new[] { ("sh", "bash", "cURL"), ("mjs", "javascript", "JavaScript (Node.js 18+, fetch)"), ("py", "python", "Python 3 (standard library)") })
        {
            var code = Text($"docs/examples/{name}.{extension}") ?? throw new InvalidOperationException($"docs/api/examples/{name}.{extension} is missing.");
            text.Append("**").Append(label).Append("**\n\n```").Append(language).Append('\n').Append(code.TrimEnd()).Append("\n```\n\n");
        }
        return text.ToString();
    });

    private static string EventCatalogMarkdown()
    {
        var text = new StringBuilder("""
            # Event catalog

            Every event type the platform knows, generated from the catalog the API validates against
            (the same data as `GET /api/v1/event-types` and the `webhooks` of the OpenAPI document).
            `data` must satisfy the type's JSON Schema (draft 2020-12); schemas allow additional
            properties, so the product may add fields without breaking receivers.

            | Type | Published by | Required in `data` | Description |
            |---|---|---|---|

            """);
        foreach (var type in EventTypeCatalog.All)
        {
            using var schema = System.Text.Json.JsonDocument.Parse(type.Schema);
            var required = schema.RootElement.TryGetProperty("required", out var r) ? string.Join(", ", r.EnumerateArray().Select(x => $"`{x.GetString()}`")) : "";
            text.Append($"| [`{type.Name}`](#{Anchor(type.Name)}) | {(type.Source == EventSource.Product ? "product" : "platform")} | {required} | {type.Description} |\n");
        }
        foreach (var type in EventTypeCatalog.All)
        {
            text.Append($"\n## {type.Name} {{#{Anchor(type.Name)}}}\n\n{type.Description}\n\n");
            if (type.Source == EventSource.Platform) text.Append("Emitted by the platform only: `POST /api/v1/events` refuses it.\n\n");
            text.Append("Sample `data`:\n\n```json\n").Append(Indent(type.Sample)).Append("\n```\n\n<details><summary>JSON Schema of <code>data</code></summary>\n\n```json\n")
                .Append(Indent(type.Schema)).Append("\n```\n\n</details>\n");
        }
        return text.ToString();
    }

    private static string Anchor(string eventType) => eventType.Replace('.', '-').Replace('_', '-');

    private static string Indent(string json) =>
        System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(json).RootElement, new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    private static string Layout(string title, string body, string current)
    {
        var nav = string.Concat(Pages.Select(p =>
            $"<a href=\"/docs{(p.Slug.Length == 0 ? "" : "/" + p.Slug)}\"{(p.Slug == current ? " class=\"current\"" : "")}>{WebUtility.HtmlEncode(p.Title)}</a>"));
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{WebUtility.HtmlEncode(title)}} · Integrations API</title><link rel="icon" href="data:,">
            <style>
            body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;display:flex;min-height:100vh}
            nav{width:15rem;flex:none;background:#f5f7fa;border-right:1px solid #e4e7eb;padding:1.5rem 1rem}
            nav .brand{font-weight:700;font-size:1.1rem;margin-bottom:1rem;display:block;color:#1f2933}
            nav a{display:block;padding:.35rem .6rem;border-radius:6px;color:#3e4c59;text-decoration:none}
            nav a.current,nav a:hover{background:#e4e7eb;color:#102a43}
            main{flex:1;max-width:52rem;padding:2rem 3rem}
            pre{background:#0f172a;color:#e2e8f0;padding:1rem;border-radius:8px;overflow-x:auto;font-size:.85rem;line-height:1.45}
            code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
            :not(pre)>code{background:#eef2f6;padding:.1em .35em;border-radius:4px}
            table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #e4e7eb;padding:.4rem .6rem;text-align:left;vertical-align:top}
            th{background:#f5f7fa}a{color:#2563eb}h1,h2,h3{line-height:1.25}details{margin:.5rem 0 1.5rem}
            </style></head>
            <body><nav><a class="brand" href="/docs">Integrations API</a>{{nav}}</nav><main id="content">{{body}}</main></body></html>
            """;
    }

    private const string ReferenceHtml = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>API reference · Integrations API</title><link rel="icon" href="data:,">
        <style>body{margin:0}.bar{font:14px system-ui,sans-serif;padding:.5rem 1rem;background:#0f172a}.bar a{color:#e2e8f0;text-decoration:none}</style>
        </head><body>
        <div class="bar"><a href="/docs">← Guides</a></div>
        <redoc spec-url="/openapi/v1.json" hide-hostname="true" expand-responses="200,201,202" path-in-middle-panel="true"></redoc>
        <script src="/docs/assets/redoc.standalone.js"></script>
        </body></html>
        """;

    private static string? Text(string name)
    {
        using var stream = Resource(name);
        return stream is null ? null : new StreamReader(stream).ReadToEnd();
    }

    private static Stream? Resource(string name) => typeof(DocsEndpoints).Assembly.GetManifestResourceStream(name);

    [GeneratedRegex(@"^\{\{examples ([a-z0-9/-]+)\}\}$", RegexOptions.Multiline)]
    private static partial Regex ExampleLine();
}
