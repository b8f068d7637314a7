using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.Notifications;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using Integrations.Domain.Notifications;
using MediatR;

namespace Integrations.Application.Connectors.Commands.RecordSlackUninstall;

/// <summary>
/// Slack's Events API told us our access to a workspace ended: <c>app_uninstalled</c>, or
/// <c>tokens_revoked</c> naming bot tokens. Every connection to that workspace becomes
/// <c>disconnected</c> (reason <c>revoked</c>) and its tenant gets one incident notice. Runs before the
/// request goes on to the inbound receiver (which stores it as <c>inbound.received</c> and answers):
/// a request that does not verify, or is another event, changes nothing here. Repeats change nothing
/// (the connection decider records a revocation once).
/// </summary>
/// <returns>How many connections it disconnected.</returns>
public sealed record RecordSlackUninstallCommand(Domain.Inbound.InboundRequest Request) : ICommand<int>;

public sealed class RecordSlackUninstallCommandHandler(IProviderCatalog providers, IConnectionReadModel connections, ConnectionAggregate aggregate,
    IncidentLog incidents, IClock clock) : IRequestHandler<RecordSlackUninstallCommand, int>
{
    private const string Provider = SlackRequests.Provider;

    public async Task<int> Handle(RecordSlackUninstallCommand command, CancellationToken cancellationToken)
    {
        if (SlackRequests.Refusal(providers, command.Request, clock.UtcNow) is not null) return 0;
        if (AccessEnded(command.Request.Body) is not var (team, reason)) return 0;
        var disconnected = 0;
        foreach (var holder in await connections.FindByAccountAsync(Provider, team, cancellationToken))
        {
            var decided = await aggregate.HandleAsync(holder.TenantId, holder.ConnectionId, new RecordRevocation($"Slack: {reason}", clock.UtcNow), cancellationToken);
            if (!decided.Events.OfType<ConnectionDisconnected>().Any()) continue;
            disconnected++;
            await incidents.OpenAsync(holder.TenantId, IncidentKinds.ConnectionDisconnected, holder.ConnectionId,
                "The Slack connection is disconnected: the app was removed from the workspace.",
                $"Slack sent {reason} for workspace {team}. Messages through it wait; reconnect it (POST /api/v1/connections/{{id}}/reconnect) to install the app again.",
                cancellationToken);
        }
        return disconnected;
    }

    /// <summary>The workspace and event of an event_callback saying our access ended; null for anything else.</summary>
    private static (string Team, string Reason)? AccessEnded(byte[] body)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "type") != "event_callback" || Text(root, "team_id") is not { } team
                || !root.TryGetProperty("event", out var e) || e.ValueKind != JsonValueKind.Object) return null;
            return Text(e, "type") switch
            {
                "app_uninstalled" => (team, "app_uninstalled"),
                // Only our bot token matters: revoked user tokens (of an app that also asks user scopes) leave the bot working.
                "tokens_revoked" when e.TryGetProperty("tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Object
                                      && tokens.TryGetProperty("bot", out var bot) && bot.ValueKind == JsonValueKind.Array && bot.GetArrayLength() > 0
                    => (team, "tokens_revoked"),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
