using System.Text;
using System.Text.Json;
using Integrations.Domain.Common;

namespace Integrations.Domain.Connectors;

/// <summary>
/// A path with <c>{{ path }}</c> placeholders (template paths, as in <see cref="JsonTemplate"/>): each
/// value is percent-encoded as one path segment or query value, so an event's data can never add a
/// segment, a query parameter or another host.
/// </summary>
public sealed class PathTemplate
{
    private readonly List<(string Text, TemplatePath? Path)> _parts;

    private PathTemplate(List<(string, TemplatePath?)> parts) => _parts = parts;

    public static PathTemplate Parse(string text)
    {
        var parts = new List<(string, TemplatePath?)>();
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((text[at..], null));
                break;
            }
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) throw new DomainException("invalid_template", "A placeholder in settings.path is not closed with }}.");
            if (open > at) parts.Add((text[at..open], null));
            parts.Add(("", TemplatePath.Parse(text[(open + 2)..close].Trim())));
            at = close + 2;
        }
        return new PathTemplate(parts);
    }

    public string Render(TemplateEvent @event, JsonElement data)
    {
        var path = new StringBuilder();
        foreach (var (text, placeholder) in _parts)
        {
            if (placeholder is null) path.Append(text);
            else if (placeholder.Resolve(@event, data) is { } value)
            {
                var escaped = Uri.EscapeDataString(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
                // A value of "." or ".." would be a dot segment climbing out of the path, and so would "%2E" (URIs normalise it):
                // such a value goes encoded twice (%252E), a literal segment.
                path.Append(escaped.All(c => c == '.') ? escaped.Replace(".", "%252E", StringComparison.Ordinal) : escaped);
            }
        }
        return path.ToString();
    }
}
