using System.Text.Json.Nodes;
using Integrations.Application.Connections;
using Integrations.Application.Entities;
using Integrations.Domain.Connectors.Slack;

namespace Integrations.Application.Connectors.Queries.AnswerSlackCommand;

/// <summary>
/// The answer to <c>status &lt;type&gt; &lt;id&gt;</c> for a workspace: the record's latest state from
/// the entity read model of the tenants connected to it (the first that knows the record). Used in
/// the request and, when that takes too long, by the follow-up on the command's response_url.
/// </summary>
public sealed class SlackStatusAnswers(IConnectionReadModel connections, IEntityReadModel entities)
{
    public async Task<JsonObject> AnswerAsync(string team, string type, string id, CancellationToken ct)
    {
        foreach (var holder in (await connections.FindByAccountAsync(SlackRequests.Provider, team, ct)).Where(c => c.Status == "connected"))
        {
            if (await entities.FindAsync(holder.TenantId, type, id, ct) is { } entity)
                return SlackStatusCommand.Found(entity.EntityType, entity.EntityId, entity.Status, entity.UpdatedAt, entity.Attributes);
        }
        return SlackStatusCommand.NotFound(type, id);
    }
}
