using System.Security.Cryptography;
using System.Text.Json;
using Confluent.Kafka;
using Integrations.Application;
using Integrations.Application.Events.Commands.IngestEvent;
using Integrations.Application.Tenants.Commands.CreateTenant;
using Integrations.Application.WebhookEndpoints.Commands.CreateWebhookEndpoint;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Messaging;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.Workers;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>
/// A fresh database, a broker process of its own (consumer groups and fault injection never touch
/// other tests), in-process Workers hosts pointed at both, and the Application services that
/// create tenants and ingest events the way the API does (without HTTP).
/// </summary>
public sealed class MessagingHarness : IAsyncDisposable
{
    public const string EventsTopic = "integrations.events.v1";

    private readonly List<IHost> _workers = [];
    private readonly ServiceProvider _application;
    private readonly NpgsqlDataSource _database;
    private readonly string _secretsKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private MessagingHarness(KafkaDevBroker broker, string connectionString)
    {
        Broker = broker;
        ConnectionString = connectionString;
        _database = NpgsqlDataSource.Create(connectionString);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Configuration()).Build();
        _application = new ServiceCollection()
            .AddLogging()
            .AddApplication()
            .AddInfrastructure(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public KafkaDevBroker Broker { get; }

    public string ConnectionString { get; }

    public static async Task<MessagingHarness> StartAsync()
    {
        var broker = await KafkaDevBroker.StartAsync(TestEnvironment.Topics);
        try
        {
            return new MessagingHarness(broker, await TestEnvironment.CreateMigratedDatabaseAsync());
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Short timeouts so failures and recoveries happen within test time.</summary>
    public Dictionary<string, string?> Configuration(IDictionary<string, string?>? overrides = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = ConnectionString,
            ["Kafka:BootstrapServers"] = Broker.BootstrapServers,
            ["Kafka:MessageTimeoutMs"] = "10000",
            ["Kafka:Settings:session.timeout.ms"] = "6000",
            ["Kafka:Settings:heartbeat.interval.ms"] = "500",
            ["Kafka:Settings:reconnect.backoff.max.ms"] = "1000",
            ["Outbox:PollInterval"] = "00:00:00.100",
            ["Outbox:LeadershipPollInterval"] = "00:00:01",
            ["Outbox:SweepInterval"] = "00:00:00.500",
            ["Outbox:CompletionTimeout"] = "00:00:30",
            ["Logging:LogLevel:Default"] = "Warning",
            // Webhook endpoints of these tests point at 127.0.0.1 (nothing there needs to answer).
            ["Webhooks:AllowPrivateNetworkTargets"] = "true",
            // One key for the harness and every host, as in a deployment: secrets written by one are readable by the others.
            ["Secrets:EncryptionKey"] = _secretsKey,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) configuration[key] = value;
        return configuration;
    }

    public async Task<IHost> StartWorkerAsync(IDictionary<string, string?>? overrides = null)
    {
        var configuration = Configuration(overrides);
        var host = WorkerHost.Build(["--environment", "Testing"], b => b.Configuration.AddInMemoryCollection(configuration));
        await host.StartAsync();
        _workers.Add(host);
        return host;
    }

    public async Task StopWorkerAsync(IHost host)
    {
        if (!_workers.Remove(host)) return;
        await host.StopAsync();
        host.Dispose();
    }

    public static KafkaBatchConsumerService<EventsTopicHandler> EventsConsumer(IHost host) =>
        host.Services.GetServices<IHostedService>().OfType<KafkaBatchConsumerService<EventsTopicHandler>>().Single();

    public static OutboxRelay Relay(IHost host) => host.Services.GetServices<IHostedService>().OfType<OutboxRelay>().Single();

    /// <summary>Waits until the host's consumer owns partitions and, if <paramref name="leader"/>, its relay leads.</summary>
    public static Task WaitUntilActiveAsync(IHost host, bool leader = true) =>
        Eventually.HoldsAsync(() => Task.FromResult(EventsConsumer(host).Assignment.Count > 0 && (!leader || Relay(host).IsLeader)),
            TimeSpan.FromSeconds(30), "the worker joined its consumer group" + (leader ? " and leads the relay" : ""));

    public async Task<Guid> CreateTenantAsync() =>
        (await SendAsync(new CreateTenantCommand("Tenant " + Guid.NewGuid().ToString("N")[..6], "pro"))).Id;

    public async Task<Guid> IngestAsync(Guid tenantId, int n) =>
        (await SendAsync(new IngestEventCommand(tenantId, "invoice.paid", JsonSerializer.SerializeToElement(new { invoice_id = $"in_{n}", amount_cents = 100 * n, currency = "EUR", n })))).Id;

    /// <summary>An endpoint of the tenant for every event type; nothing listens at its address.</summary>
    public async Task<Guid> CreateWebhookEndpointAsync(Guid tenantId) =>
        (await SendAsync(new CreateWebhookEndpointCommand(tenantId, "http://127.0.0.1:9/hooks", ["*"], null, null))).Id;

    private async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = _application.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return (T)Convert.ChangeType(await command.ExecuteScalarAsync(), typeof(T))!;
    }

    public Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) => ScalarAsync<long>(sql, parameters);

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    private NpgsqlCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var command = _database.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    /// <summary>Every event in <paramref name="ids"/> is dispatched in the read model and its outbox row completed.</summary>
    public Task WaitUntilDispatchedAsync(IReadOnlyCollection<Guid> ids, TimeSpan timeout) =>
        Eventually.HoldsAsync(async () =>
            await CountAsync("select count(*) from events where id = any(@ids) and status = 'dispatched'", ("ids", ids.ToArray())) == ids.Count
            && await CountAsync("select count(*) from outbox where message_id = any(@ids) and completed_at is not null", ("ids", ids.ToArray())) == ids.Count,
            timeout, $"{ids.Count} events dispatched and their outbox rows completed");

    public Task<long> DispatchedCountAsync(IReadOnlyCollection<Guid> ids) =>
        CountAsync("select count(*) from marten.mt_events where type = 'EventDispatched' and stream_id = any(@streams)",
            ("streams", ids.Select(id => $"event-{id:N}").ToArray()));

    /// <summary>Reads the topic from the beginning with a group of its own until <paramref name="done"/> holds for what was read.</summary>
    public List<ConsumeResult<string, string>> ReadTopic(Func<IReadOnlyList<ConsumeResult<string, string>>, bool> done, TimeSpan timeout, string topic = EventsTopic) =>
        TopicReader.Read(Broker.BootstrapServers, topic, done, timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _workers.ToList()) await StopWorkerAsync(host);
        await _application.DisposeAsync();
        await _database.DisposeAsync();
        await Broker.DisposeAsync();
    }
}

/// <summary>The messaging tests run one at a time: each starts brokers and hosts, and timing matters.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MessagingCollection
{
    public const string Name = "Messaging";
}
