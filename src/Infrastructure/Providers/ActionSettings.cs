using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Exceptions;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;

namespace Integrations.Infrastructure.Providers;

/// <summary>Settings checks the actions share: unknown fields, template parsing, the "Open in app" URL template and per-event-type templates.</summary>
internal static class ActionSettings
{
    /// <summary>The route-settings errors every action starts with: one per field the action does not know, naming those it does.</summary>
    public static List<ValidationError> UnknownFields(JsonElement settings, string action, IReadOnlyCollection<string> known) =>
        settings.EnumerateObject().Where(p => !known.Contains(p.Name))
            .Select(field => new ValidationError($"settings.{field.Name}", "unknown_field", $"settings.{field.Name} is not a setting of {action} ({string.Join(", ", known)})."))
            .ToList();

    /// <summary>
    /// settings.&lt;<paramref name="name"/>&gt;: a template per event type, each an object of the right shape, parsed as a JSON template.
    /// </summary>
    public static JsonObject CheckTemplates(JsonElement settings, string name, string what, Func<JsonElement, bool> shaped, string code, string shape,
        List<ValidationError> errors)
    {
        var templates = new JsonObject();
        if (!settings.TryGetProperty(name, out var all) || all.ValueKind == JsonValueKind.Null) return templates;
        if (all.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new($"settings.{name}", $"invalid_{name}", $"settings.{name} maps event types to {what}."));
            return templates;
        }
        foreach (var template in all.EnumerateObject())
        {
            var where = $"settings.{name}.{template.Name}";
            if (template.Value.ValueKind != JsonValueKind.Object || !shaped(template.Value)) errors.Add(new(where, code, $"{where} {shape}"));
            else if (TryParse(() => JsonTemplate.Parse(template.Value.GetRawText()), where, errors)) templates[template.Name] = JsonNode.Parse(template.Value.GetRawText());
        }
        return templates;
    }

    /// <summary>open_url (also the Teams actions'): an http(s) URL template whose scheme, host and first slash are fixed.</summary>
    public static void CheckOpenUrl(JsonElement settings, JsonObject output, List<ValidationError> errors)
    {
        if (!settings.TryGetProperty("open_url", out var openUrl) || openUrl.ValueKind == JsonValueKind.Null) return;
        var text = openUrl.ValueKind == JsonValueKind.String ? openUrl.GetString()! : "";
        var fixedPart = text.Split("{{")[0];
        if (!Uri.TryCreate(fixedPart.Length == text.Length ? text : fixedPart + "x", UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || uri.Host.Length == 0 || !fixedPart.Contains("://", StringComparison.Ordinal) || fixedPart.IndexOf('/', fixedPart.IndexOf("://", StringComparison.Ordinal) + 3) < 0)
            errors.Add(new("settings.open_url", "invalid_url", "settings.open_url is an http(s) URL whose scheme, host and first slash come before any {{ placeholder }}."));
        else if (TryParse(() => PathTemplate.Parse(text), "settings.open_url", errors))
            output["open_url"] = text;
    }

    public static bool TryParse(Action parse, string field, List<ValidationError> errors)
    {
        try
        {
            parse();
            return true;
        }
        catch (DomainException e)
        {
            errors.Add(new(field, e.Code, e.Message.Replace("settings.path", field, StringComparison.Ordinal)));
            return false;
        }
    }
}
