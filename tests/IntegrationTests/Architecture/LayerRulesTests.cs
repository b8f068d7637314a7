using System.Reflection;
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
}
