using System.Collections.Concurrent;
using System.Text.Json;
using Integrations.Fakes.Common;
using Microsoft.Extensions.Configuration;

namespace Integrations.Fakes.Teams;

/// <summary>Something Teams received: a Workflows message (<c>workflow</c>) or a bot activity (<c>conversation</c>), as the control API shows it.</summary>
public sealed record ReceivedCard(string Route, string Target, JsonElement Body, DateTimeOffset ReceivedAt)
{
    /// <summary>The region of the service URL the Bot Connector call came to (emea …), or null at the root.</summary>
    public string? Region { get; init; }
}

/// <summary>
/// The fake's state: the Workflows it knows and their signatures (<c>--Workflows=wf1=sig1</c>), the
/// channels the bot is installed in (<c>--Conversations=19:…@thread.tacv2</c>), and what was posted.
/// </summary>
public sealed class TeamsState : IFakeResettable
{
    private readonly IConfiguration _configuration;
    private readonly ConcurrentQueue<ReceivedCard> _received = new();
    private ConcurrentDictionary<string, string> _workflows = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, bool> _conversations = new(StringComparer.Ordinal);

    public TeamsState(IConfiguration configuration)
    {
        _configuration = configuration;
        Reset();
    }

    /// <summary>The signature a workflow's URL carries, or null for an unknown workflow.</summary>
    public string? SignatureOf(string workflowId) => _workflows.GetValueOrDefault(workflowId);

    public void AddWorkflow(string id, string signature) => _workflows[id] = signature;

    public bool HasConversation(string id) => _conversations.ContainsKey(id);

    public void AddConversation(string id) => _conversations[id] = true;

    public void Record(ReceivedCard card) => _received.Enqueue(card);

    public IReadOnlyList<ReceivedCard> Received(string? target) => _received.Where(c => target is null || c.Target == target).ToList();

    public void Reset()
    {
        _received.Clear();
        _workflows = new ConcurrentDictionary<string, string>(Pairs("Workflows").ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
        _conversations = new ConcurrentDictionary<string, bool>(Pairs("Conversations").ToDictionary(p => p.Key, _ => true), StringComparer.Ordinal);
    }

    private IEnumerable<KeyValuePair<string, string>> Pairs(string key) => (_configuration[key] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(t => t.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p.Length > 1 ? p[1] : ""));
}
