using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Integrations.Bench.Reliability;

/// <summary>
/// The JSON endpoint an http_poll schedule reads (docs/schedules.md#http_poll): one new item a
/// second, <c>[{"id": "rel-0-s-{n}", "seq": n}]</c>, those after <c>?since=</c>. Every item a run
/// was shown must in the end be published once, as a sync.item_received event the sink receives.
/// </summary>
public sealed class ScheduleFeed
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _highestServed;

    /// <summary>The highest item number any run has been shown.</summary>
    public long HighestServed => Interlocked.Read(ref _highestServed);

    public static string Marker(long n) => $"rel-0-s-{n}";

    public async Task AnswerAsync(HttpContext http)
    {
        var since = long.TryParse(http.Request.Query["since"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var newest = (long)_clock.Elapsed.TotalSeconds;
        var items = new List<object>();
        for (var n = since + 1; n <= newest && items.Count < 500; n++) items.Add(new { id = Marker(n), seq = n });
        if (items.Count > 0)
        {
            var last = since + items.Count;
            long seen;
            while ((seen = Interlocked.Read(ref _highestServed)) < last && Interlocked.CompareExchange(ref _highestServed, last, seen) != seen)
            {
            }
        }
        await http.Response.WriteAsJsonAsync(items);
    }
}
