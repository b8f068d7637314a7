namespace Integrations.Fakes.Common.Control;

/// <summary>
/// Injected faults, each good for a number of uses (null: until cleared); the first added that
/// matches is used first. Thread-safe.
/// </summary>
public sealed class CountedQueue<T> where T : class
{
    private readonly List<(T Item, int? Remaining)> _items = [];

    public void Add(T item, int? count)
    {
        lock (_items)
        {
            _items.Add((item, count));
        }
    }

    /// <summary>The first item that matches, used once (and removed when used up), or null.</summary>
    public T? Take(Func<T, bool>? match = null)
    {
        lock (_items)
        {
            for (var i = 0; i < _items.Count; i++)
            {
                var (item, remaining) = _items[i];
                if (match is not null && !match(item))
                {
                    continue;
                }
                if (remaining is <= 1)
                {
                    _items.RemoveAt(i);
                }
                else if (remaining is { } left)
                {
                    _items[i] = (item, left - 1);
                }
                return item;
            }
            return null;
        }
    }

    public IReadOnlyList<(T Item, int? Remaining)> Snapshot()
    {
        lock (_items)
        {
            return _items.ToList();
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }
}
