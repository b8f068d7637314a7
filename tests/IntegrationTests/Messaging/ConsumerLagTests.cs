using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.ConsumerLag;
using Integrations.Infrastructure.Messaging;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Integrations.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>GET /api/v1/admin/consumer-lag against the broker: a group's lag grows while nobody consumes and drops to zero once its pipeline runs.</summary>
[Collection(MessagingCollection.Name)]
public sealed class ConsumerLagTests(PipelinesFixture fixture) : IClassFixture<PipelinesFixture>
{
    private readonly DeliverySystem _system = fixture.System;

    [Fact]
    public async Task A_groups_lag_is_what_it_has_not_committed_and_drops_to_zero_when_its_pipeline_consumes()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        await (await tenant.Client.GetAsync("/api/v1/admin/consumer-lag")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var relaying = await _system.StartExtraWorkersAsync(new Dictionary<string, string?> { [WorkerPipelines.ConfigurationKey] = WorkerPipelines.OutboxRelay });
        try
        {
            for (var i = 0; i < 3; i++) await tenant.Client.PublishAsync();
            JsonElement dispatch = default;
            await Eventually.HoldsAsync(async () =>
            {
                dispatch = Group(await LagAsync(), "integrations.workers.events-dispatch");
                return dispatch.GetProperty("lag").GetInt64() >= 3;
            }, TimeSpan.FromSeconds(30), "the relayed events wait for the dispatch group");
            dispatch.GetProperty("topic").GetString().ShouldBe(Topics.Events);
            dispatch.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
            var partitions = dispatch.GetProperty("partitions").EnumerateArray().ToList();
            partitions.Count.ShouldBe(12);
            partitions.Sum(p => p.GetProperty("lag").GetInt64()).ShouldBe(dispatch.GetProperty("lag").GetInt64());

            var dispatching = await _system.StartExtraWorkersAsync(new Dictionary<string, string?> { [WorkerPipelines.ConfigurationKey] = WorkerPipelines.EventsDispatch });
            try
            {
                JsonElement lag = default;
                await Eventually.HoldsAsync(async () =>
                {
                    lag = await LagAsync();
                    return Group(lag, "integrations.workers.events-dispatch").GetProperty("lag").GetInt64() == 0;
                }, TimeSpan.FromSeconds(30), "the dispatch group committed past every event");
                Group(lag, "integrations.workers.events-dispatch").GetProperty("partitions").EnumerateArray()
                    .ShouldAllBe(p => p.GetProperty("committed").ValueKind == JsonValueKind.Null || p.GetProperty("committed").GetInt64() == p.GetProperty("high_watermark").GetInt64());
                // Connector calls are written by the dispatch group itself (ADR 0029): there is no second group on the topic to fall behind.
                lag.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group").GetString()).ShouldNotContain("integrations.workers.connectors");
                lag.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("lag").GetInt64()).ShouldBeInOrder(SortDirection.Descending);
            }
            finally
            {
                await _system.StopExtraWorkersAsync(dispatching);
            }
        }
        finally
        {
            await _system.StopExtraWorkersAsync(relaying);
        }
    }

    [Fact]
    public void The_lag_reads_exactly_the_groups_the_Workers_consume_in()
    {
        var handlers = typeof(WorkerPipelines).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBatchMessageHandler).IsAssignableFrom(t))
            .Select(t => (IBatchMessageHandler)RuntimeHelpers.GetUninitializedObject(t))
            .Select(h => (h.GroupId, h.Topic))
            .OrderBy(g => g.GroupId, StringComparer.Ordinal);
        handlers.ShouldBe(PlatformConsumerGroups.All.OrderBy(g => g.Group, StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_lag_reader_and_the_outbox_sweeper_share_one_offsets_reader_which_the_container_disposes_once_without_error()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:BootstrapServers"] = _system.Broker.BootstrapServers }).Build();
        var provider = new ServiceCollection().AddLogging().AddKafkaMessaging(configuration).BuildServiceProvider();
        var port = provider.GetRequiredService<IConsumerGroupOffsets>();
        port.ShouldBeSameAs(provider.GetRequiredService<KafkaConsumerGroupOffsets>());

        (await port.ReadAsync("integrations.workers.events-dispatch", Topics.Events, CancellationToken.None)).Count.ShouldBe(12);

        // Registered as itself and as its port: the container disposes it for each, and librdkafka's clients throw on a second dispose.
        Should.NotThrow(provider.Dispose);
    }

    private async Task<JsonElement> LagAsync() => await (await _system.Admin.GetAsync("/api/v1/admin/consumer-lag")).ShouldBeJsonAsync(HttpStatusCode.OK);

    private static JsonElement Group(JsonElement lag, string group) =>
        lag.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("group").GetString() == group);
}
