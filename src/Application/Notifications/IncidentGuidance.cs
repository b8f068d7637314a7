using Integrations.Domain.Notifications;

namespace Integrations.Application.Notifications;

/// <summary>What a customer is told about each kind of incident: a title, what to do, and where the failed thing is.</summary>
/// <param name="Title">For the "opened" notice, e.g. "Webhook endpoint disabled".</param>
/// <param name="ResolvedTitle">For the "resolved" notice.</param>
/// <param name="WhatToDo">Steps for the customer; <c>{id}</c> stands for the subject's id.</param>
/// <param name="SubjectPath">The failed thing in the API, relative to the base URL; <c>{id}</c> as above.</param>
public sealed record IncidentGuidance(string Title, string ResolvedTitle, string WhatToDo, string SubjectPath)
{
    private static readonly IReadOnlyDictionary<string, IncidentGuidance> ByKind = new Dictionary<string, IncidentGuidance>
    {
        [IncidentKinds.WebhookEndpointDisabled] = new("Webhook endpoint disabled", "Webhook endpoint enabled again",
            "Make sure the receiver is up and answers 2xx (the endpoint's delivery log shows what it answered), then enable the endpoint: " +
            "POST /api/v1/webhook-endpoints/{id}/enable. Deliveries wait while it is disabled and go out once it is enabled.",
            "/api/v1/webhook-endpoints/{id}/health"),
        [IncidentKinds.ConnectionNeedsReauth] = new("Connection needs re-authorisation", "Connection authorised again",
            "The provider no longer accepts the connection's authorisation (it was revoked, expired or the password changed). " +
            "Reconnect it: POST /api/v1/connections/{id}/reconnect gives a new authorisation link; the connection keeps its id, mappings and routes.",
            "/api/v1/connections/{id}"),
        [IncidentKinds.ConnectionDisconnected] = new("Connection disconnected", "Connection works again",
            "Its health checks keep failing. Check the account at the provider (is it active, does the app still have its permissions?), " +
            "then test it with POST /api/v1/connections/{id}/test, or reconnect it with POST /api/v1/connections/{id}/reconnect.",
            "/api/v1/connections/{id}"),
        [IncidentKinds.BreakerOpen] = new("Calls to a connection are paused", "Calls to a connection resumed",
            "Calls to the provider have failed again and again, so the platform holds them and probes the provider now and then; " +
            "they resume by themselves once it answers. Check the provider's status page and the connection's attempt log.",
            "/api/v1/connections/{id}"),
        [IncidentKinds.QuotaExhausted] = new("A connection's calls wait for the provider's quota", "A connection's calls go through again",
            "The provider says the connection's quota for the day (Exact Online: 5,000 calls per company per day) is used up, so the platform " +
            "holds every call of the connection until the provider's reset instead of collecting refusals. Nothing is lost: the calls go by " +
            "themselves after the reset. If this happens often, ask the provider for a higher limit or send less (e.g. fewer routes).",
            "/api/v1/connections/{id}/calls"),
        [IncidentKinds.DeadLettersPiling] = new("Failed connector calls are piling up", "Failed connector calls cleared",
            "Calls that failed every retry wait in the dead-letter queue. Fix the cause the attempt log shows, then replay them.",
            "/api/v1/connections/{id}"),
        [IncidentKinds.RegistrationFailing] = new("A connection's webhook registration failed", "A connection's webhook registration works again",
            "The platform keeps a registration at the provider (e.g. a Jira dynamic webhook) so that changes there come back, and could not create, " +
            "renew or find it. The registration's last error is in GET /api/v1/connections/{id}/registrations; check the app's permissions at the provider, " +
            "then ask for a check with POST /api/v1/connections/{id}/registrations/check.",
            "/api/v1/connections/{id}/registrations"),
        [IncidentKinds.InboundSourceSilent] = new("An inbound source has gone silent", "An inbound source receives requests again",
            "Nothing verified has reached the source for longer than its silence alert allows. Check that the sending system still sends " +
            "(its webhook registration may have been removed or disabled) and that it signs with the source's current secret: refused requests " +
            "are in the source's log, GET /api/v1/inbound-sources/{id}/requests.",
            "/api/v1/inbound-sources/{id}"),
    };

    public static IncidentGuidance For(string kind) =>
        ByKind.TryGetValue(kind, out var guidance) ? guidance : new(kind, kind + " resolved", "See the notification in the API.", "/api/v1/notifications");

    public string WhatToDoFor(Guid subjectId) => WhatToDo.Replace("{id}", subjectId.ToString(), StringComparison.Ordinal);

    public string PathFor(Guid subjectId) => SubjectPath.Replace("{id}", subjectId.ToString(), StringComparison.Ordinal);
}
