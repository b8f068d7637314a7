using System.Reflection;
using Integrations.Api.Endpoints;
using Integrations.Infrastructure.Persistence;
using Integrations.Workers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace Integrations.IntegrationTests.Architecture;

/// <summary>Rules of the hosts (ADR 0001: hosts stay thin), checked on the compiled assemblies and the built hosts.</summary>
public class HostRulesTests
{
    private static readonly Assembly Api = typeof(Integrations.Api.ApiHost).Assembly;

    [Fact]
    public void Only_TenantRequest_binds_the_tenant_id_query_parameter()
    {
        // Endpoint lambdas compile to methods of generated classes: every method and constructor of the assembly is looked at.
        const BindingFlags everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var binders = Api.GetTypes()
            .SelectMany(t => t.GetMethods(everything).Cast<MethodBase>().Concat(t.GetConstructors(everything)))
            .Where(m => m.GetParameters().Any(p => p.GetCustomAttribute<FromQueryAttribute>()?.Name == "tenant_id"))
            .Select(m => m.DeclaringType!)
            .Distinct()
            .ToList();
        binders.ShouldBe([typeof(TenantRequest)], "a tenant-scoped endpoint binds [AsParameters] TenantRequest, which resolves the tenant (TenantScope)");
    }

    [Fact]
    public void Every_background_service_of_the_Workers_host_belongs_to_exactly_one_pipeline()
    {
        var all = HostedServiceTypes(WorkerPipelines.All);
        var perPipeline = WorkerPipelines.Names.ToDictionary(name => name, HostedServiceTypes);
        // What runs whichever pipelines a process runs: only the schema migration, the first minutes' vacuum and analyze
        // of filling tables, the start-up line and Marten's configuration of the store (its async daemon belongs to the
        // projections pipeline).
        var everywhere = perPipeline.Values.Aggregate((a, b) => [.. a.Intersect(b)]);
        everywhere.ShouldBe([typeof(MigrationHostedService), typeof(StatisticsWarmUp), typeof(RunningPipelines).Assembly.GetType("Integrations.Workers.RunningPipelinesLog")!,
            typeof(Marten.IDocumentStore).Assembly.GetType("Marten.AsyncConfigureMartenApplication")!], ignoreOrder: true);

        var owned = perPipeline.ToDictionary(p => p.Key, p => p.Value.Except(everywhere).ToList());
        foreach (var (name, services) in owned)
        {
            services.ShouldNotBeEmpty($"{name} runs something");
            foreach (var (other, otherServices) in owned.Where(o => o.Key != name))
                services.Intersect(otherServices).ShouldBeEmpty($"{name} and {other} share no background service");
        }
        all.ShouldBe([.. everywhere, .. owned.Values.SelectMany(s => s)], ignoreOrder: true, "all runs every pipeline and nothing else");
    }

    /// <summary>The hosted services a Workers host with these pipelines would run; built, never started (no database or broker is needed).</summary>
    private static List<Type> HostedServiceTypes(string pipelines)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Database=unused",
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            [WorkerPipelines.ConfigurationKey] = pipelines,
        };
        using var host = WorkerHost.Build(["--environment", "Testing"], b => b.Configuration.AddInMemoryCollection(configuration));
        return [.. host.Services.GetServices<IHostedService>().Select(s => s.GetType())];
    }
}
