using Confluent.Kafka;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Kafka connection settings (section "Kafka"). The same code talks to the development broker and
/// to a production cluster; only these values change. <see cref="Settings"/> passes any librdkafka
/// property through to every client (producer, consumers, admin) and wins over the defaults.
/// </summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary>Plaintext when unset; SaslSsl in production (docs/configuration.md).</summary>
    public SecurityProtocol? SecurityProtocol { get; set; }

    /// <summary>Plain, ScramSha256 or ScramSha512.</summary>
    public SaslMechanism? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    /// <summary>A secret: never logged. Supply it through the environment (Kafka__SaslPassword) or a secret store.</summary>
    public string? SaslPassword { get; set; }

    public string? SslCaLocation { get; set; }

    public string ClientId { get; set; } = "integrations";

    /// <summary>How long the producer keeps retrying a message before reporting it failed (the relay then backs off).</summary>
    public int MessageTimeoutMs { get; set; } = 30_000;

    /// <summary>Consumers commit processed offsets at least this often...</summary>
    public int CommitIntervalMs { get; set; } = 200;

    /// <summary>...or after this many processed messages, whichever comes first.</summary>
    public int CommitBatchSize { get; set; } = 100;

    /// <summary>
    /// How long the group waits for a silent consumer before giving its partitions to the others:
    /// what a crashed (kill -9) Workers host costs before its restarted successor or another host
    /// resumes. librdkafka's default is 45 s; 6 s is the lowest Kafka's default
    /// group.min.session.timeout.ms allows. Heartbeats go every third of it, from librdkafka's own thread.
    /// </summary>
    public int SessionTimeoutMs { get; set; } = 6_000;

    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);
}
