using Confluent.Kafka;
using Integrations.Infrastructure.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>Production is configuration only (docs/configuration.md): the settings must reach librdkafka as documented.</summary>
public sealed class KafkaClientFactoryTests
{
    private static KafkaClientFactory Factory(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddKafkaMessaging(configuration).BuildServiceProvider().GetRequiredService<KafkaClientFactory>();
    }

    [Fact]
    public void Production_settings_map_to_every_client_and_the_producer_is_durable_and_idempotent()
    {
        var factory = Factory(new()
        {
            ["Kafka:BootstrapServers"] = "kafka-1:9093,kafka-2:9093",
            ["Kafka:SecurityProtocol"] = "SaslSsl",
            ["Kafka:SaslMechanism"] = "ScramSha512",
            ["Kafka:SaslUsername"] = "platform",
            ["Kafka:SaslPassword"] = "s3cret",
            ["Kafka:SslCaLocation"] = "/etc/ssl/kafka-ca.pem",
            ["Kafka:ClientId"] = "integrations-workers",
            ["Kafka:MessageTimeoutMs"] = "12000",
            ["Kafka:Settings:socket.keepalive.enable"] = "true",
        });

        var producer = factory.ProducerConfig();
        var consumer = factory.ConsumerConfig("integrations.workers.events-dispatch");
        var admin = factory.AdminClientConfig();
        foreach (var config in new ClientConfig[] { producer, consumer, admin })
        {
            config.BootstrapServers.ShouldBe("kafka-1:9093,kafka-2:9093");
            config.SecurityProtocol.ShouldBe(SecurityProtocol.SaslSsl);
            config.SaslMechanism.ShouldBe(SaslMechanism.ScramSha512);
            config.SaslUsername.ShouldBe("platform");
            config.SaslPassword.ShouldBe("s3cret");
            config.SslCaLocation.ShouldBe("/etc/ssl/kafka-ca.pem");
            config.ClientId.ShouldBe("integrations-workers");
            config.Get("socket.keepalive.enable").ShouldBe("true");
        }
        producer.Acks.ShouldBe(Acks.All);
        producer.EnableIdempotence.ShouldBe(true);
        producer.CompressionType.ShouldBe(CompressionType.Lz4);
        producer.LingerMs.ShouldBe(1);
        producer.MessageTimeoutMs.ShouldBe(12000);
        consumer.GroupId.ShouldBe("integrations.workers.events-dispatch");
        consumer.EnableAutoCommit.ShouldBe(false);
        consumer.AutoOffsetReset.ShouldBe(AutoOffsetReset.Earliest);
    }

    [Fact]
    public void Passthrough_settings_win_over_the_defaults()
    {
        var factory = Factory(new() { ["Kafka:Settings:linger.ms"] = "50", ["Kafka:Settings:compression.type"] = "zstd" });

        var producer = factory.ProducerConfig();

        producer.LingerMs.ShouldBe(50);
        producer.CompressionType.ShouldBe(CompressionType.Zstd);
        producer.SecurityProtocol.ShouldBeNull();
    }
}
