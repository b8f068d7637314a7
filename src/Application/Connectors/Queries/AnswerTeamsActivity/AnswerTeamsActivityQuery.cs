using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Domain.Connectors.Teams;
using MediatR;

namespace Integrations.Application.Connectors.Queries.AnswerTeamsActivity;

/// <summary>What the bot's messaging endpoint answers.</summary>
public abstract record TeamsActivityOutcome
{
    /// <summary>Verified: the activity came from the Bot Connector for <paramref name="BotAppId"/>, held by these connections.</summary>
    public sealed record Accepted(string BotAppId, string? ActivityType, IReadOnlyList<ConnectionIdentity> Connections) : TeamsActivityOutcome;

    /// <summary>Not from the Bot Connector for one of our bots (401): <paramref name="Reason"/> names the failed check.</summary>
    public sealed record Rejected(string Reason) : TeamsActivityOutcome;

    /// <summary>Verified, but the body is not an activity (400).</summary>
    public sealed record Invalid(string Message) : TeamsActivityOutcome;
}

/// <summary>
/// An activity the Bot Connector sent to <c>POST /inbound/microsoft-teams/messages</c>: its bearer
/// JWT checked as Microsoft documents (signature RS256 by a key of the OpenID metadata's JWKS, then
/// <see cref="BotTokenRules"/>: issuer, lifetime with 5 minutes of skew, audience = a connected bot's
/// app id, serviceUrl claim = the activity's). A read: nothing is written.
/// </summary>
public sealed record AnswerTeamsActivityQuery(string? Authorization, byte[] Body) : IQuery<TeamsActivityOutcome>;

public sealed class AnswerTeamsActivityQueryHandler(IBotConnectorTokens tokens, IConnectionReadModel connections, IClock clock)
    : IRequestHandler<AnswerTeamsActivityQuery, TeamsActivityOutcome>
{
    public const string Provider = "microsoft-teams";

    public async Task<TeamsActivityOutcome> Handle(AnswerTeamsActivityQuery request, CancellationToken cancellationToken)
    {
        if (request.Authorization is not { } header || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            return new TeamsActivityOutcome.Rejected("missing_token");
        var read = await tokens.ReadAsync(header[7..].Trim(), cancellationToken);
        if (read.Claims is not { } claims) return new TeamsActivityOutcome.Rejected(read.Refusal ?? "invalid_signature");

        var ours = new Dictionary<string, IReadOnlyList<ConnectionIdentity>>(StringComparer.Ordinal);
        foreach (var audience in claims.Audiences.Distinct(StringComparer.Ordinal).Take(5))
        {
            var held = await connections.FindByAccountAsync(Provider, audience, cancellationToken);
            if (held.Count > 0) ours[audience] = held;
        }
        var (serviceUrl, type) = ReadActivity(request.Body);
        if (BotTokenRules.Refusal(claims, serviceUrl, ours.ContainsKey, clock.UtcNow, tokens.Issuer) is { } refusal)
            return new TeamsActivityOutcome.Rejected(refusal);
        if (type is null) return new TeamsActivityOutcome.Invalid("The body is not a Bot Framework activity (a JSON object with type and serviceUrl).");
        var bot = BotTokenRules.BotOf(claims, ours.ContainsKey)!;
        return new TeamsActivityOutcome.Accepted(bot, type, ours[bot]);
    }

    /// <summary>The activity's serviceUrl and type; nulls when the body is not a JSON object.</summary>
    private static (string? ServiceUrl, string? Type) ReadActivity(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            return (root.TryGetProperty("serviceUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null,
                root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
