using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Integrations.Bench.Webhooks;
using static Integrations.Bench.BenchKit;

namespace Integrations.Bench.Reliability;

/// <summary>
/// Two more API instances on the same database, with rate limiting on (the platform's own API has it
/// off for the load): a tenant's per-minute quota must hold across both, and one Idempotency-Key sent
/// to both at once must make one event.
/// </summary>
public static class ApiScaleOut
{
    private const int StarterLimit = 100, Requests = 250, Keys = 20;

    public sealed record Figure(string Text, bool Holds);

    public static async Task<IReadOnlyList<Figure>> RunAsync(Platform platform, HttpClient admin, bool quick)
    {
        var addresses = new[] { ProcFs.FreePort(), ProcFs.FreePort() }.Select(p => new Uri($"http://127.0.0.1:{p}")).ToArray();
        foreach (var address in addresses)
            platform.StartExtraApi(address, new Dictionary<string, string> { ["RateLimits__Enabled"] = "true", ["RateLimits__Plans__starter"] = $"{StarterLimit}" });
        foreach (var address in addresses) await WaitReadyAsync(address);
        return [await QuotaAsync(admin, addresses, quick), await IdempotencyAsync(platform, admin, addresses)];
    }

    private static async Task<Figure> QuotaAsync(HttpClient admin, Uri[] addresses, bool quick)
    {
        var (a, b) = await TenantClientsAsync(admin, "starter", addresses);
        // One fixed window: start early in a minute so the burst does not straddle two (a quick run
        // does not wait; a burst across two windows may then be allowed twice the quota, and says so).
        if (!quick && DateTime.UtcNow.Second > 40) await Task.Delay(TimeSpan.FromSeconds(61 - DateTime.UtcNow.Second));
        var minute = DateTime.UtcNow.Minute;
        var statuses = new List<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var answer = await (i % 2 == 0 ? a : b).GetAsync("/api/v1/webhook-endpoints");
            lock (statuses) statuses.Add(answer.StatusCode);
        });
        var straddled = DateTime.UtcNow.Minute != minute;
        var ok = statuses.Count(s => (int)s is >= 200 and < 300);
        var limited = statuses.Count(s => s == HttpStatusCode.TooManyRequests);
        var allowed = StarterLimit * (straddled ? 2 : 1);
        return new Figure($"rate limit across two API instances: {Requests} requests of one starter tenant ({StarterLimit}/min), alternating: " +
                          $"{ok} answered 2xx, {limited} answered 429, {Requests - ok - limited} other" + (straddled ? " (the burst straddled two windows)" : ""),
            ok <= allowed && ok + limited == Requests);
    }

    private static async Task<Figure> IdempotencyAsync(Platform platform, HttpClient admin, Uri[] addresses)
    {
        var (a, b) = await TenantClientsAsync(admin, "enterprise", addresses);
        int answers = 0, accepted = 0, conflicts = 0, split = 0;
        var markers = new List<string>();
        for (var k = 0; k < Keys; k++)
        {
            var marker = $"idem-{Guid.NewGuid():N}";
            markers.Add(marker);
            var results = await Task.WhenAll(new[] { a, b }.Select(async client =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
                {
                    Content = JsonContent.Create(new { event_type = "invoice.paid", data = new { invoice_id = marker, amount_cents = 1, currency = "EUR" } }),
                };
                request.Headers.Add("Idempotency-Key", marker);
                using var answer = await client.SendAsync(request);
                var id = answer.IsSuccessStatusCode ? (await JsonAsync(answer)).GetProperty("id").GetGuid() : (Guid?)null;
                return (answer.StatusCode, id);
            }));
            answers += results.Length;
            accepted += results.Count(r => r.id is not null);
            conflicts += results.Count(r => r.StatusCode == HttpStatusCode.Conflict);
            if (results.Where(r => r.id is not null).Select(r => r.id).Distinct().Count() > 1) split++;
        }
        var stored = await StoredAsync(platform.ConnectionString, markers);
        return new Figure($"idempotency across two API instances: {Keys} keys, each sent to both at once: {answers} answers, {accepted} 2xx, {conflicts} 409, " +
                          $"{split} keys answered with two event ids; events stored {stored} (must be {Keys})",
            stored == Keys && split == 0);
    }

    private static async Task<(HttpClient A, HttpClient B)> TenantClientsAsync(HttpClient admin, string plan, Uri[] addresses)
    {
        var tenant = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/tenants", new { name = $"scale-{plan}-{Guid.NewGuid():N}"[..24], plan }));
        var key = (await JsonAsync(await admin.PostAsync($"/api/v1/tenants/{tenant.GetProperty("id").GetGuid()}/api-keys", null))).GetProperty("key").GetString();
        HttpClient Client(Uri address) => new() { BaseAddress = address, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) } };
        return (Client(addresses[0]), Client(addresses[1]));
    }

    private static async Task<long> StoredAsync(string connectionString, List<string> markers)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select count(*) from events where data->>'invoice_id' = any(@m)", connection);
        command.Parameters.AddWithValue("m", markers.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitReadyAsync(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The API at {address} did not become ready within 60 s.");
    }
}
