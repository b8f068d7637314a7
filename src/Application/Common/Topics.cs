namespace Integrations.Application.Common;

/// <summary>Kafka topic names: a public contract (docs/kafka-topics.md). A breaking change means a new .vN topic.</summary>
public static class Topics
{
    public const string Events = "integrations.events.v1";
    public const string WebhookDeliveries = "integrations.webhook-deliveries.v1";

    /// <summary>Commands to the product (ADR 0015): what an integration asks the product to change; the product answers with its events.</summary>
    public const string ProductCommands = "integrations.product-commands.v1";

    /// <summary>Verified inbound webhooks (docs/inbound.md), from the receiver's durable write to the Workers' inbound pipeline.</summary>
    public const string Inbound = "integrations.inbound.v1";
}
