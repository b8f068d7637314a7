using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.ProductBridge;
using Integrations.Application.Providers;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors.HubSpot;
using Integrations.Domain.Inbound;
using Integrations.Domain.ProductBridge;
using MediatR;

namespace Integrations.Application.Connectors.Commands.HandleHubSpotWebhook;

/// <summary>What the HubSpot app's webhook URL answers.</summary>
public abstract record HubSpotWebhookOutcome
{
    /// <summary>Verified; <paramref name="CommandIds"/> are the product commands the batch became now (none: nothing to do, or issued before).</summary>
    public sealed record Handled(IReadOnlyList<Guid> CommandIds) : HubSpotWebhookOutcome;

    public sealed record Rejected(string Reason) : HubSpotWebhookOutcome;

    /// <summary>Signed, but not a batch of HubSpot events.</summary>
    public sealed record Malformed : HubSpotWebhookOutcome;

    /// <summary>The platform has no HubSpot app configured (no client secret to verify with).</summary>
    public sealed record NotConfigured : HubSpotWebhookOutcome;
}

/// <summary>
/// A batch of the HubSpot app's webhooks (<c>POST /inbound/hubspot</c>, ADR 0030): one target URL for the whole app, up to
/// 100 events of any installed portal, signed v3 with the app's client secret (<c>X-HubSpot-Signature-v3</c>, 5 minutes,
/// the verifier of inbound scheme <c>hubspot_v3</c>). Each event goes to the connections whose account is its
/// <c>portalId</c> (none: ignored, so HubSpot does not retry it), and through the connection's <c>hubspot.upsert</c>
/// route of that object (<see cref="HubSpotBackSettings"/>): a mapped property change of a linked record is one
/// <c>entity.update</c>, a linked record's deletion an <c>entity.delete</c> (if <c>delete_back</c>), a new unlinked record an
/// <c>entity.create</c> (if <c>create_back</c>). Changes from ignored sources and echoes of our own writes
/// (<see cref="IConnectorWrites"/>) are dropped. One event is one command, its id named by the connection and HubSpot's
/// event id, so a batch HubSpot sends again (whole, or its events in other batches) issues nothing twice.
/// </summary>
public sealed record HandleHubSpotWebhookCommand(InboundRequest Request) : ICommand<HubSpotWebhookOutcome>;

public sealed class HandleHubSpotWebhookCommandHandler(
    IProviderCatalog providers, IConnectionReadModel connections, IConnectionLinks links, IRouteReadModel routes, ProductCommandSender sender, IClock clock,
    IConnectorWrites writes)
    : IRequestHandler<HandleHubSpotWebhookCommand, HubSpotWebhookOutcome>
{
    private const string Provider = HubSpotWebhook.Provider;

    public async Task<HubSpotWebhookOutcome> Handle(HandleHubSpotWebhookCommand command, CancellationToken cancellationToken)
    {
        if (providers.ClientSecretVerifier(Provider, InboundVerifiers.HubSpotV3) is not { } verifier) return new HubSpotWebhookOutcome.NotConfigured();
        var verification = verifier.Verify(command.Request, clock.UtcNow);
        if (!verification.Verified) return new HubSpotWebhookOutcome.Rejected(verification.Reason ?? RejectionReasons.InvalidSignature);
        if (command.Request.JsonBody() is not { } body || HubSpotWebhook.Parse(body) is not { } changes) return new HubSpotWebhookOutcome.Malformed();

        var issued = new List<Guid>();
        foreach (var portal in changes.GroupBy(c => c.PortalId))
            foreach (var connection in (await connections.FindByAccountAsync(Provider, portal.Key, cancellationToken)).Where(c => c.Status == "connected"))
            {
                var commands = await CommandsAsync(connection, portal.ToList(), cancellationToken);
                if (commands.Count == 0) continue;
                issued.AddRange((await sender.SendAsync(commands, cancellationToken)).Where(c => !c.AlreadyIssued).Select(c => c.Id));
            }
        return new HubSpotWebhookOutcome.Handled(issued);
    }

    /// <summary>The product commands one connection's events become (the connection's tenant only: it names them).</summary>
    private async Task<List<NewProductCommand>> CommandsAsync(ConnectionIdentity connection, IReadOnlyList<HubSpotChange> changes, CancellationToken ct)
    {
        var routesOf = (await routes.FindEnabledAsync([connection.TenantId], ct))
            .Where(r => r.ConnectionId == connection.ConnectionId && r.Action == HubSpotUpsert.Action)
            .Select(r => HubSpotBackSettings.Of(JsonDocument.Parse(r.SettingsJson).RootElement))
            .ToList();
        var commands = new List<NewProductCommand>();
        foreach (var change in changes)
        {
            // The first route of the object decides (a connection normally has one per object).
            if (routesOf.FirstOrDefault(r => r.Object == change.Object) is not { } route) continue;
            if (HubSpotWebhook.IsIgnored(change, route.IgnoredSources, route.IgnoreOwnChanges)) continue;
            var externalType = HubSpotUpsert.ExternalType(change.Object);
            var link = await links.FindByExternalAsync(connection.TenantId, connection.ConnectionId, externalType, change.ObjectId, ct);
            var made = change.Kind switch
            {
                HubSpotChangeKind.PropertyChange when link is not null && route.ChangesBack =>
                    await UpdateAsync(connection, route, change, new EntityTarget(link.EntityType, link.EntityId), ct),
                HubSpotChangeKind.Deletion when link is not null && route.DeleteBack =>
                    Command(connection, change, ProductCommandRules.EntityDelete, new EntityTarget(link.EntityType, link.EntityId), new JsonObject()),
                HubSpotChangeKind.Creation when link is null && route.CreateBack =>
                    Command(connection, change, ProductCommandRules.EntityCreate, new EntityTarget(route.EntityType, null), new JsonObject
                    {
                        ["attributes"] = AttributesMadeWith(route, change, changes),
                        // The product's entity.created answer links the new record with this one (ConnectorRouting).
                        ["link"] = new JsonObject { ["external_type"] = externalType, ["external_id"] = change.ObjectId },
                    }),
                _ => null,
            };
            if (made is not null) commands.Add(made);
        }
        return commands;
    }

    /// <summary>A mapped property's change as one attribute; null when the property is not mapped or the change is our own write coming back.</summary>
    private async Task<NewProductCommand?> UpdateAsync(ConnectionIdentity connection, HubSpotBackSettings route, HubSpotChange change, EntityTarget target,
        CancellationToken ct)
    {
        if (!route.PropertiesBack.TryGetValue(change.PropertyName!, out var attribute)) return null;
        var echo = await writes.ConsumeAsync(connection.TenantId, connection.ConnectionId,
            new ProviderWrite(HubSpotUpsert.ExternalType(change.Object), change.ObjectId, change.PropertyName!, change.PropertyValue ?? ""), change.EventId,
            clock.UtcNow, ct);
        if (echo) return null;
        // HubSpot reports a cleared property as an empty value: the attribute is cleared too.
        var value = change.PropertyValue is { Length: > 0 } text ? JsonValue.Create(text) : null;
        return Command(connection, change, ProductCommandRules.EntityUpdate, target, new JsonObject { ["attributes"] = new JsonObject { [attribute] = value } });
    }

    /// <summary>
    /// The attributes of a record made in HubSpot: the creation event carries no values, but HubSpot reports the properties set
    /// with it as property changes of the same record, normally in the same batch.
    /// </summary>
    private static JsonObject AttributesMadeWith(HubSpotBackSettings route, HubSpotChange creation, IReadOnlyList<HubSpotChange> batch)
    {
        var attributes = new JsonObject();
        foreach (var change in batch.Where(c => c.Kind == HubSpotChangeKind.PropertyChange && c.Object == creation.Object && c.ObjectId == creation.ObjectId)
                     .OrderBy(c => c.OccurredAt))
            if (route.PropertiesBack.TryGetValue(change.PropertyName!, out var attribute) && change.PropertyValue is { Length: > 0 } value)
                attributes[attribute] = value;
        return attributes;
    }

    private static NewProductCommand Command(ConnectionIdentity connection, HubSpotChange change, string name, EntityTarget target, JsonObject data)
    {
        data["source"] = Provider;
        data[Provider] = new JsonObject
        {
            ["portal_id"] = change.PortalId, ["object"] = change.Object, ["object_id"] = change.ObjectId, ["event_id"] = change.EventId,
            ["occurred_at"] = change.OccurredAt, ["change_source"] = change.ChangeSource, ["property_name"] = change.PropertyName,
        };
        var key = HubSpotWebhook.CommandKey(connection.ConnectionId, change);
        return new NewProductCommand(connection.TenantId, name, target, JsonSerializer.SerializeToElement(data), new CommandOrigin(connection.ConnectionId, Provider, change.ObjectId),
            NameBasedGuid.Create(Encoding.UTF8.GetBytes($"{key}:{connection.TenantId}")), key);
    }
}
