using System.Reflection;
using MediatR;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace Integrations.IntegrationTests.Architecture;

/// <summary>The dependency rule of ADR 0001, checked on the compiled assemblies.</summary>
public class LayerRulesTests
{
    private static readonly Assembly Domain = typeof(Integrations.Domain.Common.DomainException).Assembly;
    private static readonly Assembly Application = typeof(Integrations.Application.DependencyInjection).Assembly;
    private static readonly Assembly Infrastructure = typeof(Integrations.Infrastructure.DependencyInjection).Assembly;

    private static IReadOnlyList<string> References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

    [Fact]
    public void Domain_references_nothing_but_the_base_class_library()
    {
        References(Domain).ShouldAllBe(name => name.StartsWith("System.") || name == "netstandard");
    }

    [Fact]
    public void Application_references_the_domain_and_no_infrastructure_or_host()
    {
        var references = References(Application);
        references.ShouldContain("Integrations.Domain");
        references.ShouldNotContain("Integrations.Infrastructure");
        references.ShouldNotContain("Integrations.Api");
        references.ShouldNotContain("Integrations.Workers");
        references.ShouldNotContain(r => r.StartsWith("Npgsql") || r.StartsWith("Confluent") || r.StartsWith("Microsoft.AspNetCore")
            || r.StartsWith("JsonSchema") || r.StartsWith("JsonPointer"));
    }

    [Fact]
    public void Infrastructure_references_no_host()
    {
        var references = References(Infrastructure);
        references.ShouldContain("Integrations.Application");
        references.ShouldNotContain("Integrations.Api");
        references.ShouldNotContain("Integrations.Workers");
    }

    /// <summary>MediatR's request and notification handler interfaces: a type implementing one is a use case.</summary>
    private static bool IsHandler(Type type) => type.GetInterfaces().Any(i => i.IsGenericType && i.Assembly == typeof(IMediator).Assembly
        && i.GetGenericTypeDefinition().Name is "IRequestHandler`1" or "IRequestHandler`2" or "INotificationHandler`1");

    /// <summary>Whatever would hand a type the mediator: the mediator itself, or MediatR's service factory that resolves it.</summary>
    private static readonly Type[] MediatorAccess = [typeof(IMediator), typeof(Mediator), typeof(ServiceFactory)];

    private static bool IsRequest(Type type) => typeof(IBaseRequest).IsAssignableFrom(type) && !type.IsInterface;

    private static IEnumerable<Type> TopLevel(Assembly assembly) => assembly.GetTypes().Where(t => !t.IsNested);

    [Fact]
    public void No_request_handler_of_Application_sends_through_the_mediator()
    {
        // A handler that needs another use case's work calls the service both share (e.g. WebhookEndpointDisabler), inside its own transaction.
        var handlers = TopLevel(Application).Where(t => IsHandler(t) || t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).Any(IsHandler)).ToList();
        handlers.ShouldNotBeEmpty();
        handlers.Where(h => TypeDependencies.Of(h).Intersect(MediatorAccess).Any())
            .Select(h => h.FullName).ShouldBeEmpty("request handlers that depend on IMediator");
    }

    [Fact]
    public void Infrastructure_holds_no_use_case()
    {
        var types = TopLevel(Infrastructure).ToList();
        types.Where(t => IsHandler(t) || t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).Any(IsHandler))
            .Select(t => t.FullName).ShouldBeEmpty("MediatR handlers in Infrastructure: use cases belong in Application");

        // Its background services run adapters and Application's pipelines; none drives a use case through the mediator.
        var hosted = types.Where(t => typeof(IHostedService).IsAssignableFrom(t)).ToList();
        hosted.ShouldNotBeEmpty();
        hosted.Where(t => TypeDependencies.Of(t).Any(used => MediatorAccess.Contains(used) || IsRequest(used)))
            .Select(t => t.FullName).ShouldBeEmpty("background services of Infrastructure that send MediatR requests");
    }
}
