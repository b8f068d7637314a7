using System.Text;
using Confluent.Kafka;
using Npgsql;
using Shouldly;
using Xunit;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>
/// Checks the test infrastructure itself (ADR 0006): a real PostgreSQL and the Kafka dev broker
/// start, answer over TCP and clean up. When these fail, every other integration test would too.
/// </summary>
public sealed class FixtureSmokeTests
{
    [Fact]
    public async Task Postgres_server_starts_creates_databases_and_answers_queries()
    {
        await using var server = await PostgresServer.StartAsync();

        var connectionString = await server.CreateDatabaseAsync("smoke_db");

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select current_database(), 1 + 1", connection);
            await using var reader = await command.ExecuteReaderAsync();
            (await reader.ReadAsync()).ShouldBeTrue();
            reader.GetString(0).ShouldBe("smoke_db");
            reader.GetInt32(1).ShouldBe(2);
        }
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));

        var dataDirectory = server.DataDirectory;
        await server.DisposeAsync();
        Directory.Exists(dataDirectory).ShouldBeFalse();
    }

    [Fact]
    public async Task Kafka_dev_broker_round_trips_a_message_and_takes_control_commands()
    {
        await using var broker = await KafkaDevBroker.StartAsync("smoke.events:3");
        broker.BootstrapServers.ShouldStartWith("127.0.0.1:");

        await broker.CreateTopicAsync("smoke.created", 2);
        await broker.SetRttAsync(5);
        await broker.SetRttAsync(0);

        foreach (var topic in new[] { "smoke.events", "smoke.created" })
        {
            var payload = $"hello {topic} {Guid.NewGuid()}";
            await ProduceAsync(broker, topic, payload);
            ConsumeOne(broker, topic).ShouldBe(payload);
        }
    }

    [Fact]
    public async Task Kafka_dev_broker_down_delays_delivery_until_up()
    {
        await using var broker = await KafkaDevBroker.StartAsync("smoke.faults:1");
        using var producer = CreateProducer(broker);
        // Connect and learn the metadata while the brokers are up.
        await producer.ProduceAsync("smoke.faults", new Message<string, string> { Key = "k", Value = "warm-up" });

        await broker.SetDownAsync();
        var pending = producer.ProduceAsync("smoke.faults", new Message<string, string> { Key = "k", Value = "while-down" });
        (await Task.WhenAny(pending, Task.Delay(TimeSpan.FromSeconds(2)))).ShouldNotBe(pending);

        await broker.SetUpAsync();
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(45));
        result.Status.ShouldBe(PersistenceStatus.Persisted);
    }

    private static IProducer<string, string> CreateProducer(KafkaDevBroker broker) =>
        new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            MessageTimeoutMs = 60_000,
            ReconnectBackoffMaxMs = 1_000,
        })
        // Connection-refused noise is expected while the brokers are down.
        .SetLogHandler((_, _) => { })
        .Build();

    private static async Task ProduceAsync(KafkaDevBroker broker, string topic, string payload)
    {
        using var producer = CreateProducer(broker);
        var message = new Message<string, string>
        {
            Key = "tenant-1",
            Value = payload,
            Headers = new Headers { { "event-type", Encoding.UTF8.GetBytes("smoke.test") } },
        };
        var result = await producer.ProduceAsync(topic, message);
        result.Status.ShouldBe(PersistenceStatus.Persisted);
    }

    private static string ConsumeOne(KafkaDevBroker broker, string topic)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = $"smoke-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (record?.Message is { } message)
                {
                    message.Key.ShouldBe("tenant-1");
                    Encoding.UTF8.GetString(message.Headers.GetLastBytes("event-type")).ShouldBe("smoke.test");
                    return message.Value;
                }
            }
            throw new TimeoutException($"no message on {topic} within 30 s");
        }
        finally
        {
            consumer.Close();
        }
    }
}
