using System.Text.Json;
using Integrations.Domain.Connectors;

namespace Integrations.Application.Connectors;

/// <summary>The record of ours an event is about, and the type of record at the provider it is linked with in the identity map.</summary>
public sealed record LinkedRecordRef(string EntityType, string EntityId, string ExternalType);

/// <summary>
/// An action that works on the provider's record linked with one of ours (jira.transition: the issue made
/// for an invoice). The routing step asks which record of ours an event is about, finds its link in the
/// connection's identity map (<see cref="Connections.IConnectionLinks"/>) and prepares the call with the
/// provider's id; an event about a record without a link makes no call. Such an action's
/// <see cref="IConnectorAction.Prepare"/> is not used.
/// </summary>
public interface ILinkedRecordAction
{
    /// <summary>Our record the event is about, or null when it needs no call (names no record, a status the route does not map …).</summary>
    LinkedRecordRef? RecordOf(string settingsJson, TemplateEvent @event, JsonElement data);

    /// <summary>The request of the call for the linked record <paramref name="externalId"/>.</summary>
    PreparedRequest PrepareFor(string settingsJson, TemplateEvent @event, JsonElement data, string externalId);
}

/// <summary>A value the platform writes to a provider's record, remembered so that the provider's webhook reporting it does not come back as a change (ADR 0027).</summary>
public sealed record ProviderWrite(string ExternalType, string ExternalId, string Field, string Value);

/// <summary>What an action makes of a succeeded call's answer.</summary>
public abstract record FollowUp
{
    /// <summary>Nothing more to send: the call is done.</summary>
    public sealed record None : FollowUp;

    /// <summary>A next call with <paramref name="Request"/>; <paramref name="Write"/> is what it changes at the provider, if it is to be remembered.</summary>
    public sealed record Next(PreparedRequest Request, ProviderWrite? Write) : FollowUp;

    /// <summary>The answer says the work cannot be done (<paramref name="Reason"/>, for the attempt log): the call is dead-lettered.</summary>
    public sealed record Refused(string Reason) : FollowUp;
}

/// <summary>
/// An action whose work takes more than one request (jira.transition: read the transitions, then
/// take one). The runtime sends one request per call; when such an action's call succeeds, the sender
/// reads the whole answer (up to <see cref="MaxAnswerBytes"/>) and the action decides what comes next.
/// A next request becomes a new call in the ledger, in the transaction that records this one's result,
/// with an id named by this call (<see cref="Domain.Connectors.ConnectorCallPolicy.FollowUpId"/>).
/// </summary>
public interface IFollowingConnectorAction
{
    public const int MaxAnswerBytes = 64 * 1024;

    /// <param name="answer">The whole answer body, or null when there was none or it was larger than <see cref="MaxAnswerBytes"/>.</param>
    FollowUp After(PreparedRequest request, string? answer);
}
