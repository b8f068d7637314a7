using System.Text.Json;

namespace Integrations.Domain.Inbound;

/// <summary>The registration handshakes providers send before (or instead of) events; answering them keeps the registration alive.</summary>
public static class Handshakes
{
    /// <summary>The longest Graph validation token echoed: Graph's are opaque strings of a few hundred characters.</summary>
    public const int MaxValidationTokenLength = 2048;

    /// <summary>Slack's Events API <c>url_verification</c>: the <c>challenge</c> to echo, or null when the body is not one.</summary>
    public static string? SlackChallenge(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                   && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "url_verification"
                   && root.TryGetProperty("challenge", out var challenge) && challenge.ValueKind == JsonValueKind.String
                ? challenge.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
