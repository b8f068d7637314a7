using System.Text;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.ProductBridge;
using Integrations.Application.Providers;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors.Jira;
using Integrations.Domain.Inbound;
using Integrations.Domain.ProductBridge;
using MediatR;

namespace Integrations.Application.Connectors.Commands.HandleJiraWebhook;

/// <summary>What the connection's Jira webhook URL answers.</summary>
public abstract record JiraWebhookOutcome
{
    /// <summary>Verified; <paramref name="CommandId"/> is the product command it became (null: nothing to do, or already issued).</summary>
    public sealed record Handled(Guid? CommandId) : JiraWebhookOutcome;

    public sealed record Rejected(string Reason) : JiraWebhookOutcome;

    /// <summary>No such Jira connection of that tenant, or the platform has no Jira client (no secret to verify with).</summary>
    public sealed record NotFound : JiraWebhookOutcome;
}

/// <summary>
/// A delivery of the connection's dynamic webhook (<c>POST /inbound/jira/{tenant_id}/{connection_id}</c>,
/// ADR 0027), verified as Atlassian signs them for OAuth apps (<see cref="AtlassianJwtVerifier"/>). A
/// <c>jira:issue_updated</c> of an issue linked in the connection's identity map that moves it to a status the
/// linked record's <c>jira.issue</c> route maps (<c>settings.status_map</c>) or changes fields it brings back
/// (<c>settings.fields_back</c>) becomes one product command <c>entity.update</c> with those attributes, in the request's transaction. The command id is named by
/// the connection, the issue and Jira's changelog id: a delivery Jira sends again issues nothing twice.
/// A status change the platform made itself (<c>jira.transition</c>, remembered in <see cref="IConnectorWrites"/>) is dropped.
/// </summary>
public sealed record HandleJiraWebhookCommand(Guid TenantId, Guid ConnectionId, InboundRequest Request) : ICommand<JiraWebhookOutcome>;

public sealed class HandleJiraWebhookCommandHandler(
    IProviderCatalog providers, IConnectionReadModel connections, IConnectionLinks links, IRouteReadModel routes, ProductCommandSender sender, IClock clock,
    IConnectorWrites writes)
    : IRequestHandler<HandleJiraWebhookCommand, JiraWebhookOutcome>
{
    public async Task<JiraWebhookOutcome> Handle(HandleJiraWebhookCommand command, CancellationToken cancellationToken)
    {
        if (providers.ClientJwtVerifier(JiraIssueUpdate.Provider) is not { } verifier) return new JiraWebhookOutcome.NotFound();
        var verification = verifier.Verify(command.Request, clock.UtcNow);
        if (!verification.Verified) return new JiraWebhookOutcome.Rejected(verification.Reason ?? RejectionReasons.InvalidSignature);
        var connection = await connections.FindAsync(command.TenantId, command.ConnectionId, cancellationToken);
        if (connection is null || connection.Provider != JiraIssueUpdate.Provider) return new JiraWebhookOutcome.NotFound();
        if (command.Request.JsonBody() is not { } body) return new JiraWebhookOutcome.Rejected(RejectionReasons.MalformedBody);

        if (JiraIssueUpdate.ChangeOf(body) is not { } change) return new JiraWebhookOutcome.Handled(null);
        var link = await links.FindByExternalAsync(command.TenantId, command.ConnectionId, JiraIssueUpdate.ExternalType, change.IssueId, cancellationToken);
        if (link is null) return new JiraWebhookOutcome.Handled(null);
        var settings = (await routes.FindEnabledAsync([command.TenantId], cancellationToken))
            .Where(r => r.ConnectionId == command.ConnectionId && r.Action == JiraIssueUpdate.IssueAction)
            .Select(r => JsonDocument.Parse(r.SettingsJson).RootElement)
            .Where(s => EntityTypeOf(s) == link.EntityType)
            .ToList();
        // Mapped fields and a mapped status of one change are one command (one changelog id, one command id).
        var attributes = JiraFieldsBack.AttributesOf(settings.SelectMany(JiraFieldsBack.Of), change.Items);
        // Our own transition coming back (ADR 0027, decision 9): the record has that status already; fields changed with it still come back.
        var ours = change.Status is { } written && await writes.ConsumeAsync(command.TenantId, command.ConnectionId,
            new ProviderWrite(JiraIssueUpdate.ExternalType, change.IssueId, "status", written.ToText!), change.ChangelogId, clock.UtcNow, cancellationToken);
        var status = change.Status is { } moved && !ours
            ? settings.Select(s => JiraIssueUpdate.OurStatus(JiraIssueUpdate.StatusMapOf(s), moved.ToText!)).FirstOrDefault(s => s is not null)
            : null;
        if (status is not null) attributes["status"] = status;
        if (attributes.Count == 0) return new JiraWebhookOutcome.Handled(null);

        var data = JsonSerializer.SerializeToElement(new
        {
            attributes,
            source = JiraIssueUpdate.Provider,
            jira = new
            {
                issue_id = change.IssueId, issue_key = change.IssueKey, changelog_id = change.ChangelogId,
                from_status = change.Status?.FromString, to_status = change.Status?.ToText, account_id = change.AccountId,
            },
        });
        var id = NameBasedGuid.Create(Encoding.UTF8.GetBytes($"jira-change:{command.TenantId}:{command.ConnectionId}:{change.IssueId}:{change.ChangelogId}"));
        var issued = await sender.SendAsync(new NewProductCommand(command.TenantId, ProductCommandRules.EntityUpdate, new EntityTarget(link.EntityType, link.EntityId), data,
            new CommandOrigin(command.ConnectionId, JiraIssueUpdate.Provider, change.IssueId), id, $"jira-change:{change.IssueId}:{change.ChangelogId}"), cancellationToken);
        return new JiraWebhookOutcome.Handled(issued.AlreadyIssued ? null : issued.Id);
    }

    private static string? EntityTypeOf(JsonElement settings) =>
        settings.TryGetProperty("entity", out var entity) && entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty("type", out var type)
            && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
}
