using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Integrations.Bench;

/// <summary>What the end-to-end benchmarks share: finding the repository, reading answers, posting events, percentiles.</summary>
public static class BenchKit
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Integrations.sln"))) return dir.FullName;
        throw new InvalidOperationException("Integrations.sln not found above the benchmark.");
    }

    /// <summary>The answer's JSON; a failure status throws with the body.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>One invoice.paid event through the API; its latency in milliseconds.</summary>
    public static async Task<double> PostEventAsync(HttpClient tenant, int i)
    {
        var clock = Stopwatch.StartNew();
        using var answer = await tenant.PostAsJsonAsync("/api/v1/events",
            new { event_type = "invoice.paid", data = new { invoice_id = $"in_{Guid.NewGuid():N}", amount_cents = i, currency = "EUR" } });
        if ((int)answer.StatusCode != 202) throw new InvalidOperationException($"POST /api/v1/events answered {(int)answer.StatusCode}");
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>The nearest-rank percentile; NaN without values.</summary>
    public static double P(List<double> values, double quantile)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
    }
}
