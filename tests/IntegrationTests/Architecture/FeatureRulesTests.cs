using System.Reflection;
using Shouldly;

namespace Integrations.IntegrationTests.Architecture;

/// <summary>
/// The feature folders of Application (namespaces <c>Integrations.Application.&lt;Feature&gt;</c>,
/// Common included) depend on each other without cycles (ADR 0001): each can be read, changed and
/// moved knowing only what it uses. Dependencies are read from the compiled types, method bodies
/// included (<see cref="TypeDependencies"/>).
/// </summary>
public class FeatureRulesTests
{
    private const string Root = "Integrations.Application.";
    private static readonly Assembly Application = typeof(Integrations.Application.DependencyInjection).Assembly;

    /// <summary>The feature a type of Application belongs to; null for the assembly's root (its composition) and other assemblies.</summary>
    private static string? Feature(Type type) =>
        type.Assembly == Application && type.Namespace is { } ns && ns.StartsWith(Root, StringComparison.Ordinal) ? ns[Root.Length..].Split('.')[0] : null;

    /// <summary>Feature → feature, with the types that make each edge.</summary>
    public static Dictionary<string, Dictionary<string, SortedSet<string>>> FeatureGraph()
    {
        var graph = new Dictionary<string, Dictionary<string, SortedSet<string>>>();
        foreach (var type in Application.GetTypes().Where(t => !t.IsNested))
        {
            if (Feature(type) is not { } from) continue;
            var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = [];
            foreach (var used in TypeDependencies.Of(type))
            {
                if (Feature(used) is not { } to || to == from) continue;
                (edges.TryGetValue(to, out var why) ? why : edges[to] = []).Add($"{type.Name} uses {used.Name}");
            }
        }
        return graph;
    }

    [Fact]
    public void Feature_folders_of_Application_have_no_cycles()
    {
        var graph = FeatureGraph();
        var cycles = Cycles(graph.ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)g.Value.Keys));
        var explained = cycles.Select(cycle => string.Join(Environment.NewLine, cycle
            .SelectMany(from => graph[from].Where(to => cycle.Contains(to.Key))
                .Select(to => $"  {from} -> {to.Key}: {string.Join("; ", to.Value.Take(4))}{(to.Value.Count > 4 ? $" (+{to.Value.Count - 4})" : "")}"))
            .Prepend($"cycle between {string.Join(", ", cycle)}:")));
        cycles.ShouldBeEmpty(string.Join(Environment.NewLine, explained));
    }

    [Fact]
    public void The_feature_graph_sees_Application_as_it_is()
    {
        var graph = FeatureGraph();
        // The check must see the features and their uses, or an empty graph would pass it.
        graph.Keys.ShouldContain("Events");
        graph.Keys.ShouldContain("WebhookDeliveries");
        graph.Keys.ShouldContain("WebhookEndpoints");
        graph["WebhookDeliveries"].Keys.ShouldContain("Common");
    }

    [Fact]
    public void Method_bodies_count_as_dependencies()
    {
        var uses = TypeDependencies.Of(typeof(Samples.UsesInBodiesOnly));
        uses.ShouldContain(typeof(Samples.CreatedInALambda));
        uses.ShouldContain(typeof(Samples.AwaitedInAnAsyncMethod));
        uses.ShouldContain(typeof(Samples.StaticallyCalled));
        uses.ShouldContain(typeof(Samples.ReadAsAField));
        uses.ShouldNotContain(typeof(Samples.UsesInBodiesOnly));
    }

    [Fact]
    public void Cycles_are_found_however_long_and_only_cycles()
    {
        var graph = new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["Events"] = ["WebhookDeliveries", "Common"],
            ["WebhookDeliveries"] = ["WebhookEndpoints", "Common"],
            ["WebhookEndpoints"] = ["Events", "Common"],
            ["Apps"] = ["Members", "Common"],
            ["Members"] = ["Apps"],
            ["Tenants"] = ["Common"],
            ["Common"] = [],
        };
        Cycles(graph).Select(c => string.Join(",", c.Order())).ShouldBe(["Apps,Members", "Events,WebhookDeliveries,WebhookEndpoints"], ignoreOrder: true);
        graph["WebhookEndpoints"] = ["Common"];
        graph["Members"] = [];
        Cycles(graph).ShouldBeEmpty();
    }

    /// <summary>The strongly connected components of more than one node (Tarjan): every cycle lies within one.</summary>
    public static List<List<string>> Cycles(IReadOnlyDictionary<string, IReadOnlyCollection<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();
        foreach (var node in graph.Keys.Order()) if (!index.ContainsKey(node)) Visit(node);
        return cycles;

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in graph.TryGetValue(node, out var edges) ? edges : [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }
            if (low[node] != index[node]) return;
            var component = new List<string>();
            string member;
            do component.Add(member = stack.Pop());
            while (member != node);
            if (component.Count > 1) cycles.Add([.. component.Order()]);
        }
    }
}

/// <summary>Types whose only uses are inside method bodies, for <see cref="FeatureRulesTests.Method_bodies_count_as_dependencies"/>.</summary>
public static class Samples
{
    public sealed class CreatedInALambda;

    public sealed class AwaitedInAnAsyncMethod
    {
        public static Task<int> RunAsync() => Task.FromResult(1);
    }

    public static class StaticallyCalled
    {
        public static int Value() => 1;
    }

    public static class ReadAsAField
    {
        public static int Count = 1;
    }

    public sealed class UsesInBodiesOnly
    {
        public Func<object> Make() => () => new CreatedInALambda();

        public async Task<int> RunAsync() => await AwaitedInAnAsyncMethod.RunAsync() + StaticallyCalled.Value() + ReadAsAField.Count;
    }
}
