namespace Integrations.Application.Connectors.Queries.AnswerSlackCommand;

/// <summary>A status answer that did not fit in Slack's 3 seconds, to be posted to the command's response_url.</summary>
/// <param name="ResponseUrl">Slack's URL for this command: takes up to five answers within 30 minutes; a credential, never logged.</param>
public sealed record SlackFollowUp(string ResponseUrl, string Team, string EntityType, string EntityId);

/// <summary>Sends follow-ups in the background of the process that took the command.</summary>
public interface ISlackFollowUps
{
    /// <returns>False when the queue is full: the user is told to ask again instead of waiting for nothing.</returns>
    bool TryQueue(SlackFollowUp followUp);
}

/// <summary>Providers:slack:Commands (docs/connectors/slack.md).</summary>
public sealed class SlackCommandOptions
{
    public const string Section = "Providers:slack:Commands";

    /// <summary>How long the request waits for the answer before acknowledging and answering on response_url (Slack allows 3 s in all).</summary>
    public TimeSpan AnswerBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// What a response_url must start with to be posted to: Slack's host. A request with another is
    /// answered in the request or not at all, so a leaked signing secret cannot aim our posts elsewhere.
    /// </summary>
    public string ResponseUrlPrefix { get; set; } = "https://hooks.slack.com/";
}
