using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure.Messaging;

/// <summary>Which messages of a batch share a bundle row (migration 0018) and which get a row each.</summary>
internal static class OutboxBundles
{
    /// <summary>
    /// Bounds a bundle, so that the relay's round (<see cref="OutboxOptions.BatchSize"/> messages,
    /// at least one row) stays bounded in memory whatever a caller enqueues at once.
    /// </summary>
    public const int MaxMessages = 500;

    /// <summary>
    /// A topic and key get bundles when two or more of the batch's messages have them and none of
    /// those awaits a platform consumer (such a row needs its own message id and completion). Each
    /// bundle keeps the batch's order; so does the list of single rows.
    /// </summary>
    public static (List<OutboxMessage> Rows, List<OutboxMessage[]> Bundles) Split(IReadOnlyList<OutboxMessage> messages)
    {
        var bundled = messages.GroupBy(m => (m.Topic, m.Key))
            .Where(g => g.Skip(1).Any() && !g.Any(m => m.AwaitsConsumer))
            .ToDictionary(g => g.Key, g => g.Chunk(MaxMessages).ToList());
        var rows = bundled.Count == 0 ? messages.ToList() : messages.Where(m => !bundled.ContainsKey((m.Topic, m.Key))).ToList();
        return (rows, bundled.Values.SelectMany(chunks => chunks).ToList());
    }
}
