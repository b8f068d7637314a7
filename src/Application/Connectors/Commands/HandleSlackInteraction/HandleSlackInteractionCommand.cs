using System.Text;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.ProductBridge;
using Integrations.Application.Providers;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors.Slack;
using Integrations.Domain.Inbound;
using Integrations.Domain.ProductBridge;
using MediatR;

namespace Integrations.Application.Connectors.Commands.HandleSlackInteraction;

/// <summary>
/// A request on Slack's interactivity URL (<c>POST /inbound/slack/interactivity</c>): a form with a
/// <c>payload</c> field, signed like Slack's events (v0 HMAC, 5 minutes). Clicks on our buttons
/// become product commands (<c>&lt;type&gt;.acknowledge</c>, <c>&lt;type&gt;.assign</c>) for every tenant
/// connected to the workspace, in the request's transaction, so Slack gets its answer at once. The
/// command id comes from the click (workspace, user, action, action_ts): Slack's retries issue nothing twice.
/// </summary>
public sealed record HandleSlackInteractionCommand(InboundRequest Request) : ICommand<SlackRequestOutcome>;

public sealed class HandleSlackInteractionCommandHandler(IProviderCatalog providers, IConnectionReadModel connections, ProductCommandSender sender, IClock clock)
    : IRequestHandler<HandleSlackInteractionCommand, SlackRequestOutcome>
{
    private const string Provider = SlackRequests.Provider;

    public async Task<SlackRequestOutcome> Handle(HandleSlackInteractionCommand command, CancellationToken cancellationToken)
    {
        if (SlackRequests.Refusal(providers, command.Request, clock.UtcNow) is { } refusal) return refusal;
        if (Payload(command.Request.Body) is not { } payload) return new SlackRequestOutcome.Rejected(RejectionReasons.MalformedBody);

        var clicks = SlackActions.Clicks(payload);
        var team = payload.TryGetProperty("team", out var t) && t.ValueKind == JsonValueKind.Object && t.TryGetProperty("id", out var id) ? id.GetString() : null;
        if (clicks.Count == 0 || team is null) return new SlackRequestOutcome.Handled();

        var holders = (await connections.FindByAccountAsync(Provider, team, cancellationToken)).Where(c => c.Status == "connected").ToList();
        var commands = holders.SelectMany(holder => clicks.Select(click => new NewProductCommand(holder.TenantId, click.Command,
                new EntityTarget(click.EntityType, click.EntityId),
                JsonSerializer.SerializeToElement(new
                {
                    source = "slack",
                    action = click.Action,
                    slack = new { team_id = team, user_id = click.UserId, user_name = click.UserName, channel_id = click.ChannelId, message_ts = click.MessageTs },
                }),
                new CommandOrigin(holder.ConnectionId, Provider, click.ChannelId is null ? null : $"{click.ChannelId}/{click.MessageTs}"),
                NameBasedGuid.Create(Encoding.UTF8.GetBytes($"slack-click:{holder.TenantId}:{team}:{click.UserId}:{click.Action}:{click.ActionTs}:{click.EntityId}")))))
            .ToList();
        if (commands.Count > 0) await sender.SendAsync(commands, cancellationToken);
        return new SlackRequestOutcome.Handled();
    }

    /// <summary>The JSON of the form's <c>payload</c> field, or null.</summary>
    private static JsonElement? Payload(byte[] body)
    {
        if (!SlackForm.Parse(body).TryGetValue("payload", out var payload)) return null;
        try
        {
            var json = JsonDocument.Parse(payload).RootElement.Clone();
            return json.ValueKind == JsonValueKind.Object ? json : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
