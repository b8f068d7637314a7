using System.Text;

namespace Integrations.Domain.Connectors.Slack;

/// <summary>The form bodies Slack posts (slash commands, interactivity's <c>payload</c>): application/x-www-form-urlencoded, UTF-8.</summary>
public static class SlackForm
{
    /// <summary>The fields by name; a repeated name keeps its first value.</summary>
    public static IReadOnlyDictionary<string, string> Parse(byte[] body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Encoding.UTF8.GetString(body).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=');
            var name = Decode(at < 0 ? pair : pair[..at]);
            fields.TryAdd(name, at < 0 ? "" : Decode(pair[(at + 1)..]));
        }
        return fields;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
