using System.Collections.Concurrent;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Inbound;
using Integrations.Application.Inbound.Pipelines;
using Integrations.Infrastructure;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;

namespace Integrations.IntegrationTests.Inbound;

/// <summary>
/// The inbound pipeline's bounds on one process: lanes at once, a provider's lanes at once, each
/// lane in order. The step itself is recorded (what each request does is InboundReceiverTests' business).
/// </summary>
public class InboundProcessingBoundsTests
{
    private sealed class Recorder
    {
        private int _running;
        private readonly ConcurrentDictionary<string, int> _perOwner = new();
        public int MostRunning;
        public readonly ConcurrentDictionary<string, int> MostPerOwner = new();
        public readonly ConcurrentQueue<Guid> Order = new();

        public async Task RunAsync(InboundEnvelope envelope)
        {
            var owner = envelope.Provider ?? "sources";
            var running = Interlocked.Increment(ref _running);
            var mine = _perOwner.AddOrUpdate(owner, 1, (_, n) => n + 1);
            lock (this)
            {
                MostRunning = Math.Max(MostRunning, running);
                MostPerOwner[owner] = Math.Max(MostPerOwner.GetValueOrDefault(owner), mine);
            }
            Order.Enqueue(envelope.Id);
            await Task.Delay(100);
            _perOwner.AddOrUpdate(owner, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _running);
        }
    }

    private sealed class RecordingStep(Recorder recorder) : IRequestHandler<ProcessInboundRequestCommand, string>
    {
        public async Task<string> Handle(ProcessInboundRequestCommand request, CancellationToken cancellationToken)
        {
            await recorder.RunAsync(request.Envelope);
            return InboundStatuses.Processed;
        }
    }

    private static InboundEnvelope Provider(string provider, string account) => new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, provider, null, null, account,
        "application/json", new Dictionary<string, string>(), "e30=", InboundEnvelope.CurrentSchemaVersion);

    private static InboundEnvelope Source(Guid tenant) => new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, null, Guid.CreateVersion7(), tenant, null,
        "application/json", new Dictionary<string, string>(), "e30=", InboundEnvelope.CurrentSchemaVersion);

    private static (InboundProcessing Processing, Recorder Recorder) Pipeline(InboundOptions options)
    {
        var recorder = new Recorder();
        var services = new ServiceCollection()
            .AddSingleton(recorder)
            .AddScoped<RequestContext>()
            .AddTransient<IRequestHandler<ProcessInboundRequestCommand, string>, RecordingStep>()
            .AddTransient<ServiceFactory>(provider => provider.GetService!)
            .AddTransient<IMediator, Mediator>()
            .AddSingleton<IWorkScopeFactory, WorkScopeFactory>()
            .BuildServiceProvider();
        return (new InboundProcessing(services.GetRequiredService<IWorkScopeFactory>(), options, NullLogger<InboundProcessing>.Instance), recorder);
    }

    [Fact]
    public async Task A_burst_from_one_provider_takes_at_most_its_share_of_lanes_while_others_proceed_and_each_lane_stays_in_order()
    {
        var (processing, recorder) = Pipeline(new InboundOptions { MaxConcurrency = 6, MaxConcurrencyPerProvider = 2 });
        var slack = Enumerable.Range(0, 10).SelectMany(a => new[] { Provider("slack", $"T{a}"), Provider("slack", $"T{a}") }).ToList();
        var hubspot = Enumerable.Range(0, 3).Select(a => Provider("hubspot", $"P{a}")).ToList();
        var sources = Enumerable.Range(0, 4).Select(_ => Source(Guid.CreateVersion7())).ToList();

        await processing.ProcessAsync([.. slack, .. hubspot, .. sources], CancellationToken.None);

        recorder.Order.Count.ShouldBe(slack.Count + hubspot.Count + sources.Count);
        recorder.MostPerOwner["slack"].ShouldBe(2);
        recorder.MostPerOwner["hubspot"].ShouldBeLessThanOrEqualTo(2);
        recorder.MostRunning.ShouldBeLessThanOrEqualTo(6);
        // Sources (tenants' own URLs) are bounded per tenant only: with the providers capped, they fill the rest.
        recorder.MostPerOwner["sources"].ShouldBeGreaterThan(1);
        var order = recorder.Order.ToList();
        foreach (var pair in slack.Chunk(2)) order.IndexOf(pair[0].Id).ShouldBeLessThan(order.IndexOf(pair[1].Id), "one account's requests in order");
    }

    [Fact]
    public void Lanes_are_taken_round_robin_across_providers_and_sources()
    {
        var tenant = Guid.CreateVersion7();
        var batch = new[] { Provider("slack", "T1"), Provider("slack", "T2"), Provider("slack", "T1"), Provider("slack", "T3"), Source(tenant), Provider("jira", "J1") };

        var lanes = InboundProcessing.Lanes(batch);

        lanes.Select(l => l[0].Provider ?? "source").ShouldBe(["slack", "source", "jira", "slack", "slack"]);
        lanes[0].Select(e => e.Id).ShouldBe([batch[0].Id, batch[2].Id]);
        lanes.Sum(l => l.Count).ShouldBe(batch.Length);
    }
}
