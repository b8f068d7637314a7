using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Bench.Schedules;

/// <summary>
/// A provider API on 127.0.0.1 in the benchmark process that keeps a quota as many do: per account
/// (the first path segment, one per connection) and in total, per clock minute; a call beyond either
/// gets <c>429</c> with <c>Retry-After</c> (counted: the benchmark wants none). <c>GET /{account}/me</c>
/// names the account; <c>GET /{account}/records</c> answers one new record (a growing <c>seq</c>).
/// </summary>
public sealed class QuotaProvider(int perAccountPerMinute, int totalPerMinute) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Account, long Minute), int> _perAccount = new();
    private readonly ConcurrentDictionary<long, int> _total = new();
    private WebApplication _app = null!;
    private long _seq;
    private int _inFlight;

    public Uri BaseAddress { get; private set; } = null!;

    public long Answered;
    public long Refused;
    public int MostInFlight;

    public static async Task<QuotaProvider> StartAsync(int perAccountPerMinute, int totalPerMinute)
    {
        var provider = new QuotaProvider(perAccountPerMinute, totalPerMinute);
        (provider._app, provider.BaseAddress) = await LoopbackApp.StartAsync(provider.HandleAsync);
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var segments = http.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is [var account, "me"])
        {
            await http.Response.WriteAsJsonAsync(new { id = account, name = account });
            return;
        }
        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            lock (_total) MostInFlight = Math.Max(MostInFlight, inFlight);
            var now = DateTimeOffset.UtcNow;
            var minute = now.ToUnixTimeSeconds() / 60;
            var mine = _perAccount.AddOrUpdate((segments[0], minute), 1, (_, n) => n + 1);
            var all = _total.AddOrUpdate(minute, 1, (_, n) => n + 1);
            if (mine > perAccountPerMinute || all > totalPerMinute)
            {
                Interlocked.Increment(ref Refused);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = (60 - now.ToUnixTimeSeconds() % 60).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return;
            }
            Interlocked.Increment(ref Answered);
            var seq = Interlocked.Increment(ref _seq);
            await http.Response.WriteAsJsonAsync(new[] { new { id = $"r{seq}", seq } });
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
