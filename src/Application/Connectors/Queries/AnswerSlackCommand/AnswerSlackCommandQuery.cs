using System.Text.Json.Nodes;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.Entities;
using Integrations.Application.Providers;
using Integrations.Domain.Connectors.Slack;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Application.Connectors.Queries.AnswerSlackCommand;

/// <summary>What the slash command URL answers Slack.</summary>
public abstract record SlackCommandOutcome
{
    /// <summary>Verified: the message to show (ephemeral: only the user who asked sees it).</summary>
    public sealed record Answered(JsonObject Message) : SlackCommandOutcome;

    public sealed record Rejected(string Reason) : SlackCommandOutcome;

    public sealed record NotConfigured : SlackCommandOutcome;
}

/// <summary>
/// Slack's slash command (<c>POST /inbound/slack/commands</c>): <c>/&lt;app&gt; status &lt;type&gt; &lt;id&gt;</c>,
/// verified like Slack's events (v0 HMAC, 5 minutes), answered in the request from the entity read
/// model of the tenants connected to the workspace (the first that knows the record), well within
/// Slack's 3 seconds. Reads only: nothing is written.
/// </summary>
public sealed record AnswerSlackCommandQuery(InboundRequest Request) : IQuery<SlackCommandOutcome>;

public sealed class AnswerSlackCommandQueryHandler(IProviderCatalog providers, IConnectionReadModel connections, IEntityReadModel entities, IClock clock)
    : IRequestHandler<AnswerSlackCommandQuery, SlackCommandOutcome>
{
    public const string Provider = "slack";

    public async Task<SlackCommandOutcome> Handle(AnswerSlackCommandQuery query, CancellationToken cancellationToken)
    {
        if (providers.InboundVerifier(Provider) is not { } verifier) return new SlackCommandOutcome.NotConfigured();
        var verification = verifier.Verify(query.Request, clock.UtcNow);
        if (!verification.Verified) return new SlackCommandOutcome.Rejected(verification.Reason ?? RejectionReasons.InvalidSignature);

        var form = SlackForm.Parse(query.Request.Body);
        var command = form.GetValueOrDefault("command") is { Length: > 0 } name ? name : "/integrations";
        if (SlackStatusCommand.Parse(form.GetValueOrDefault("text")) is not { EntityType: { } type, EntityId: { } id })
            return new SlackCommandOutcome.Answered(SlackStatusCommand.Usage(command));
        if (form.GetValueOrDefault("team_id") is not { Length: > 0 } team) return new SlackCommandOutcome.Rejected(RejectionReasons.MalformedBody);

        foreach (var holder in (await connections.FindByAccountAsync(Provider, team, cancellationToken)).Where(c => c.Status == "connected"))
        {
            if (await entities.FindAsync(holder.TenantId, type, id, cancellationToken) is { } entity)
                return new SlackCommandOutcome.Answered(SlackStatusCommand.Found(entity.EntityType, entity.EntityId, entity.Status, entity.UpdatedAt, entity.Attributes));
        }
        return new SlackCommandOutcome.Answered(SlackStatusCommand.NotFound(type, id));
    }
}
