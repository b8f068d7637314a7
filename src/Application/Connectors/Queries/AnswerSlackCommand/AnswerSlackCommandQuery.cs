using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.Entities;
using Integrations.Application.Providers;
using Integrations.Domain.Connectors.Slack;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Application.Connectors.Queries.AnswerSlackCommand;

/// <summary>
/// Slack's slash command (<c>POST /inbound/slack/commands</c>): <c>/&lt;app&gt; status &lt;type&gt; &lt;id&gt;</c>,
/// verified like Slack's events (v0 HMAC, 5 minutes), answered in the request from the entity read
/// model of the tenants connected to the workspace (the first that knows the record), well within
/// Slack's 3 seconds. Reads only: nothing is written.
/// </summary>
public sealed record AnswerSlackCommandQuery(InboundRequest Request) : IQuery<SlackRequestOutcome>;

public sealed class AnswerSlackCommandQueryHandler(IProviderCatalog providers, IConnectionReadModel connections, IEntityReadModel entities, IClock clock)
    : IRequestHandler<AnswerSlackCommandQuery, SlackRequestOutcome>
{
    private const string Provider = SlackRequests.Provider;

    public async Task<SlackRequestOutcome> Handle(AnswerSlackCommandQuery query, CancellationToken cancellationToken)
    {
        if (SlackRequests.Refusal(providers, query.Request, clock.UtcNow) is { } refusal) return refusal;

        var form = SlackForm.Parse(query.Request.Body);
        var command = form.GetValueOrDefault("command") is { Length: > 0 } name ? name : "/integrations";
        if (SlackStatusCommand.Parse(form.GetValueOrDefault("text")) is not { EntityType: { } type, EntityId: { } id })
            return new SlackRequestOutcome.Handled(SlackStatusCommand.Usage(command));
        if (form.GetValueOrDefault("team_id") is not { Length: > 0 } team) return new SlackRequestOutcome.Rejected(RejectionReasons.MalformedBody);

        foreach (var holder in (await connections.FindByAccountAsync(Provider, team, cancellationToken)).Where(c => c.Status == "connected"))
        {
            if (await entities.FindAsync(holder.TenantId, type, id, cancellationToken) is { } entity)
                return new SlackRequestOutcome.Handled(SlackStatusCommand.Found(entity.EntityType, entity.EntityId, entity.Status, entity.UpdatedAt, entity.Attributes));
        }
        return new SlackRequestOutcome.Handled(SlackStatusCommand.NotFound(type, id));
    }
}
