namespace Integrations.Domain.EventTypes;

/// <summary>Who publishes an event type: the customer's product (through the API) or the platform itself.</summary>
public enum EventSource { Product, Platform }

/// <param name="Schema">JSON Schema (draft 2020-12) of the event's <c>data</c>, as JSON text.</param>
/// <param name="Sample">A realistic <c>data</c> object that satisfies <paramref name="Schema"/>, as JSON text.</param>
public sealed record EventTypeDefinition(string Name, string Description, EventSource Source, string Schema, string Sample);

/// <summary>
/// The event types the platform knows, named {resource}.{action} like Stripe's. Schemas require
/// only what a receiver cannot act without (ids, amounts), never secrets or personal data (ids,
/// not names or e-mail addresses), and allow additional properties so that the product can add
/// fields without breaking anyone; the properties they do name are type-checked.
/// </summary>
public static class EventTypeCatalog
{
    public const string WebhookEndpointDisabled = "webhook_endpoint.disabled";
    public const string InboundReceived = "inbound.received";
    public const string SyncItemReceived = "sync.item_received";

    public static readonly IReadOnlyList<EventTypeDefinition> All =
    [
        Product("entity.created", "A record was created.",
            required: ["entity_id"],
            properties: """
                "entity_id": {"type": "string", "minLength": 1, "description": "The record's id in the product."},
                "entity_type": {"type": "string", "description": "The kind of record, e.g. project or document."},
                "attributes": {"type": "object", "description": "The record's fields at creation."},
                "created_by": {"type": "string", "description": "Id of the user who created it."},
                "created_at": {"type": "string", "format": "date-time"}
                """,
            sample: """{"entity_id": "ent_8f2c1a", "entity_type": "project", "attributes": {"status": "active", "priority": 2}, "created_by": "usr_41d0", "created_at": "2026-11-22T09:14:03Z"}"""),
        Product("entity.updated", "A record was modified; changed_fields names the fields that changed and changes holds their old and new values.",
            required: ["entity_id", "changed_fields"],
            properties: """
                "entity_id": {"type": "string", "minLength": 1},
                "entity_type": {"type": "string"},
                "changed_fields": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}, "description": "Names of the fields that changed."},
                "changes": {
                  "type": "object",
                  "description": "Per changed field, its value before and after.",
                  "additionalProperties": {"type": "object", "properties": {"from": {}, "to": {}}}
                },
                "updated_by": {"type": "string", "description": "Id of the user who made the change."},
                "updated_at": {"type": "string", "format": "date-time"}
                """,
            sample: """{"entity_id": "ent_8f2c1a", "entity_type": "project", "changed_fields": ["status"], "changes": {"status": {"from": "active", "to": "archived"}}, "updated_by": "usr_41d0", "updated_at": "2026-11-22T10:02:41Z"}"""),
        Product("entity.deleted", "A record was removed.",
            required: ["entity_id"],
            properties: """
                "entity_id": {"type": "string", "minLength": 1},
                "entity_type": {"type": "string"},
                "deleted_by": {"type": "string"},
                "deleted_at": {"type": "string", "format": "date-time"}
                """,
            sample: """{"entity_id": "ent_8f2c1a", "entity_type": "project", "deleted_by": "usr_41d0", "deleted_at": "2026-11-22T11:30:00Z"}"""),
        Product("user.invited", "A user was invited to the organisation.",
            required: ["user_id"],
            properties: """
                "user_id": {"type": "string", "minLength": 1, "description": "Id of the invited user (never the e-mail address)."},
                "role": {"type": "string", "description": "The role the user will have, e.g. admin or member."},
                "invited_by": {"type": "string", "description": "Id of the user who sent the invitation."},
                "email_domain": {"type": "string", "description": "Domain part of the invitee's address only, e.g. example.com."},
                "expires_at": {"type": "string", "format": "date-time"}
                """,
            sample: """{"user_id": "usr_7b3e", "role": "member", "invited_by": "usr_41d0", "email_domain": "example.com", "expires_at": "2026-11-29T09:00:00Z"}"""),
        Product("user.joined", "An invited user accepted the invitation.",
            required: ["user_id"],
            properties: """
                "user_id": {"type": "string", "minLength": 1},
                "role": {"type": "string"},
                "joined_at": {"type": "string", "format": "date-time"}
                """,
            sample: """{"user_id": "usr_7b3e", "role": "member", "joined_at": "2026-11-23T08:12:55Z"}"""),
        Product("user.removed", "A user was removed from the organisation.",
            required: ["user_id"],
            properties: """
                "user_id": {"type": "string", "minLength": 1},
                "removed_by": {"type": "string"},
                "reason": {"type": "string", "description": "Why, in the product's own terms, e.g. left or deactivated."},
                "removed_at": {"type": "string", "format": "date-time"}
                """,
            sample: """{"user_id": "usr_7b3e", "removed_by": "usr_41d0", "reason": "left", "removed_at": "2026-12-01T16:40:00Z"}"""),
        Product("subscription.created", "A new subscription started.",
            required: ["subscription_id", "plan"],
            properties: """
                "subscription_id": {"type": "string", "minLength": 1},
                "customer_id": {"type": "string"},
                "plan": {"type": "string", "minLength": 1},
                "quantity": {"type": "integer", "minimum": 1},
                "status": {"type": "string", "enum": ["trialing", "active", "past_due"]},
                "current_period_end": {"type": "string", "format": "date-time"},
                "trial_end": {"type": ["string", "null"], "format": "date-time"}
                """,
            sample: """{"subscription_id": "sub_2Lk9", "customer_id": "cus_51aa", "plan": "pro", "quantity": 5, "status": "trialing", "current_period_end": "2026-12-22T00:00:00Z", "trial_end": "2026-12-06T00:00:00Z"}"""),
        Product("subscription.updated", "A subscription changed plan, quantity or status.",
            required: ["subscription_id"],
            properties: """
                "subscription_id": {"type": "string", "minLength": 1},
                "customer_id": {"type": "string"},
                "plan": {"type": "string"},
                "previous_plan": {"type": "string"},
                "quantity": {"type": "integer", "minimum": 1},
                "previous_quantity": {"type": "integer", "minimum": 1},
                "status": {"type": "string", "enum": ["trialing", "active", "past_due", "paused"]}
                """,
            sample: """{"subscription_id": "sub_2Lk9", "customer_id": "cus_51aa", "plan": "enterprise", "previous_plan": "pro", "quantity": 12, "previous_quantity": 5, "status": "active"}"""),
        Product("subscription.cancelled", "A subscription was cancelled.",
            required: ["subscription_id"],
            properties: """
                "subscription_id": {"type": "string", "minLength": 1},
                "customer_id": {"type": "string"},
                "plan": {"type": "string"},
                "reason": {"type": "string", "description": "e.g. customer_request, payment_failed."},
                "cancel_at_period_end": {"type": "boolean"},
                "cancelled_at": {"type": "string", "format": "date-time"},
                "effective_at": {"type": "string", "format": "date-time", "description": "When service actually stops."}
                """,
            sample: """{"subscription_id": "sub_2Lk9", "customer_id": "cus_51aa", "plan": "enterprise", "reason": "customer_request", "cancel_at_period_end": true, "cancelled_at": "2027-02-03T14:20:00Z", "effective_at": "2027-02-22T00:00:00Z"}"""),
        Product("invoice.paid", "A payment succeeded.",
            required: ["invoice_id", "amount_cents", "currency"],
            properties: """
                "invoice_id": {"type": "string", "minLength": 1},
                "amount_cents": {"type": "integer", "minimum": 0, "description": "Amount paid in the currency's minor unit."},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code, upper case."},
                "subscription_id": {"type": ["string", "null"]},
                "customer_id": {"type": "string"},
                "invoice_number": {"type": "string"},
                "paid_at": {"type": "string", "format": "date-time"}
                """,
            sample: """{"invoice_id": "in_1Qx7", "amount_cents": 4200, "currency": "EUR", "subscription_id": "sub_2Lk9", "customer_id": "cus_51aa", "invoice_number": "ACME-2026-0042", "paid_at": "2026-11-22T09:15:00Z"}"""),
        Product("invoice.failed", "A payment failed; the product may retry it.",
            required: ["invoice_id", "amount_cents", "currency"],
            properties: """
                "invoice_id": {"type": "string", "minLength": 1},
                "amount_cents": {"type": "integer", "minimum": 0},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                "subscription_id": {"type": ["string", "null"]},
                "customer_id": {"type": "string"},
                "failure_code": {"type": "string", "description": "e.g. card_declined, insufficient_funds."},
                "attempt_count": {"type": "integer", "minimum": 1},
                "next_attempt_at": {"type": ["string", "null"], "format": "date-time"}
                """,
            sample: """{"invoice_id": "in_1Qx8", "amount_cents": 4200, "currency": "EUR", "subscription_id": "sub_2Lk9", "customer_id": "cus_51aa", "failure_code": "card_declined", "attempt_count": 1, "next_attempt_at": "2026-11-25T09:15:00Z"}"""),
        Product("notification.requested", "Someone or something (a no-code automation, the product) asks for people to be told: routes deliver it to Slack or Teams channels, the product shows it in the app, webhooks anywhere.",
            required: ["title", "message"],
            properties: """
                "title": {"type": "string", "minLength": 1, "maxLength": 150, "description": "One line: the header of the message."},
                "message": {"type": "string", "minLength": 1, "maxLength": 3000, "description": "The text, plain."},
                "link": {"type": ["string", "null"], "format": "uri", "maxLength": 2000, "description": "Where to read more or act (https)."},
                "topic": {"type": ["string", "null"], "maxLength": 100, "description": "A name routes filter on to pick their channel, e.g. sales or ops."},
                "recipient_user_id": {"type": ["string", "null"], "description": "For the product's in-app notice: the product user to tell (an id, never an address); absent or null: the organisation."},
                "requested_by": {"type": "string", "description": "What asked for it, e.g. zapier or the product user's id."}
                """,
            sample: """{"title": "Invoice overdue", "message": "ACME-2026-0042 is 14 days overdue (EUR 42.00).", "link": "https://app.example.com/invoices/in_1Qx7", "topic": "finance", "requested_by": "zapier"}"""),
        Platform(WebhookEndpointDisabled, "The platform stopped delivering to one of the tenant's webhook endpoints (manually, after consecutive failures, or because it answered 410 Gone).",
            required: ["endpoint_id", "url", "reason", "message", "disabled_at"],
            properties: """
                "endpoint_id": {"type": "string", "format": "uuid"},
                "url": {"type": "string", "format": "uri"},
                "reason": {"type": "string", "enum": ["manual", "consecutive_failures", "gone"]},
                "message": {"type": "string"},
                "disabled_at": {"type": "string", "format": "date-time"}
                """,
            sample: """{"endpoint_id": "0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51", "url": "https://hooks.example.com/integrations", "reason": "consecutive_failures", "message": "100 consecutive deliveries failed; the last answered HTTP 503.", "disabled_at": "2026-11-22T12:00:00Z"}"""),
        Platform(InboundReceived, "An external system sent the tenant a verified webhook: on a provider's inbound URL (routed by the account it names) or on one of the tenant's inbound sources.",
            required: ["inbound_request_id", "received_at", "payload"],
            properties: """
                "inbound_request_id": {"type": "string", "format": "uuid", "description": "The request in the inbound log."},
                "provider": {"type": ["string", "null"], "description": "The provider whose inbound URL received it (slack, hubspot …); null for a source."},
                "source_id": {"type": ["string", "null"], "format": "uuid", "description": "The tenant's inbound source that received it; null for a provider."},
                "connection_id": {"type": ["string", "null"], "format": "uuid", "description": "The tenant's connection to the account the payload names."},
                "account_id": {"type": ["string", "null"], "description": "The account at the provider (Slack team, HubSpot portal …)."},
                "received_at": {"type": "string", "format": "date-time"},
                "content_type": {"type": ["string", "null"]},
                "payload": {"description": "The body as the sender sent it: JSON as JSON, anything else as a string."}
                """,
            sample: """{"inbound_request_id": "0193a5f2-7d20-7c1e-8a44-2b9d3f0e8c2a", "provider": "slack", "source_id": null, "connection_id": "0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51", "account_id": "T0001", "received_at": "2026-12-07T09:14:03Z", "content_type": "application/json", "payload": {"type": "event_callback", "team_id": "T0001", "event_id": "Ev0PV52K21", "event": {"type": "app_mention", "text": "hello"}}}"""),
        Platform(SyncItemReceived, "A scheduled sync (an http_poll schedule) found an item past its checkpoint; each item is emitted once.",
            required: ["schedule_id", "run_id", "cursor", "item"],
            properties: """
                "schedule_id": {"type": "string", "format": "uuid"},
                "run_id": {"type": "string", "format": "uuid", "description": "The run that found it."},
                "connection_id": {"type": ["string", "null"], "format": "uuid", "description": "The connection it was read through, if any."},
                "item_id": {"type": ["string", "null"], "description": "The item's id field, if it has one."},
                "cursor": {"type": "string", "description": "The item's cursor field, as text: the checkpoint moves past it."},
                "item": {"description": "The item as the endpoint returned it."}
                """,
            sample: """{"schedule_id": "0193f0a0-5c1e-7a44-9b1d-3f0e8c2a7d51", "run_id": "0193f0a1-0a2b-7c3d-8e4f-5a6b7c8d9e0f", "connection_id": "0193efd2-77aa-7b10-9c3e-1d2f3a4b5c6d", "item_id": "ord_1042", "cursor": "2026-12-07T02:00:11Z", "item": {"id": "ord_1042", "status": "paid", "updated_at": "2026-12-07T02:00:11Z"}}"""),
    ];

    private static readonly Dictionary<string, EventTypeDefinition> ByName = All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static bool IsKnown(string? eventType) => eventType is not null && ByName.ContainsKey(eventType);

    public static EventTypeDefinition? Find(string? eventType) => eventType is not null && ByName.TryGetValue(eventType, out var definition) ? definition : null;

    /// <summary>Types the product may publish through the API; platform types are emitted by the platform only.</summary>
    public static bool IsPublishable(string? eventType) => Find(eventType)?.Source == EventSource.Product;

    private static EventTypeDefinition Product(string name, string description, string[] required, string properties, string sample) =>
        new(name, description, EventSource.Product, Schema(name, description, required, properties), sample);

    private static EventTypeDefinition Platform(string name, string description, string[] required, string properties, string sample) =>
        new(name, description, EventSource.Platform, Schema(name, description, required, properties), sample);

    private static string Schema(string name, string description, string[] required, string properties) => $$"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "{{name}}",
          "description": "{{description}}",
          "type": "object",
          "required": [{{string.Join(", ", required.Select(r => $"\"{r}\""))}}],
          "properties": {
        {{properties}}
          },
          "additionalProperties": true
        }
        """;
}
