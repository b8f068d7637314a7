using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Providers;
using Integrations.Domain.Connectors.Slack;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Application.Connectors.Queries.AnswerSlackCommand;

/// <summary>
/// Slack's slash command (<c>POST /inbound/slack/commands</c>): <c>/&lt;app&gt; status &lt;type&gt; &lt;id&gt;</c>,
/// verified like Slack's events (v0 HMAC, 5 minutes), answered from the entity read model
/// (<see cref="SlackStatusAnswers"/>). Slack waits 3 seconds: an answer not found within the budget
/// is acknowledged ("Looking up …") and posted to the command's response_url when it is ready.
/// Reads only: nothing is written.
/// </summary>
public sealed record AnswerSlackCommandQuery(InboundRequest Request) : IQuery<SlackRequestOutcome>;

public sealed class AnswerSlackCommandQueryHandler(IProviderCatalog providers, SlackStatusAnswers answers, ISlackFollowUps followUps,
    SlackCommandOptions options, IClock clock) : IRequestHandler<AnswerSlackCommandQuery, SlackRequestOutcome>
{
    public async Task<SlackRequestOutcome> Handle(AnswerSlackCommandQuery query, CancellationToken cancellationToken)
    {
        if (SlackRequests.Refusal(providers, query.Request, clock.UtcNow) is { } refusal) return refusal;

        var form = SlackForm.Parse(query.Request.Body);
        var command = form.GetValueOrDefault("command") is { Length: > 0 } name ? name : "/integrations";
        if (SlackStatusCommand.Parse(form.GetValueOrDefault("text")) is not { EntityType: { } type, EntityId: { } id })
            return new SlackRequestOutcome.Handled(SlackStatusCommand.Usage(command));
        if (form.GetValueOrDefault("team_id") is not { Length: > 0 } team) return new SlackRequestOutcome.Rejected(RejectionReasons.MalformedBody);

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.AnswerBudget);
        try
        {
            return new SlackRequestOutcome.Handled(await answers.AnswerAsync(team, type, id, budget.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var responseUrl = form.GetValueOrDefault("response_url");
            var followed = responseUrl is not null && SlackResponseUrl.Allowed(responseUrl, options.ResponseUrlPrefix)
                           && followUps.TryQueue(new SlackFollowUp(responseUrl, team, type, id));
            return new SlackRequestOutcome.Handled(followed ? SlackStatusCommand.LookingUp(type, id) : SlackStatusCommand.TryAgain(type, id));
        }
    }
}

