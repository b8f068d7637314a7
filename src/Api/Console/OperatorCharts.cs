using System.Globalization;
using Integrations.Application.DeliveryStats.Queries.GetDeliveryStats;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// The dashboard's delivery charts as server-rendered SVG (ADR 0019 consequences): no script, no
/// inline style (presentation attributes only), so the CSP stays as it is. Each chart is an image
/// with a title for assistive technology, followed by the same numbers as a table.
/// </summary>
public static class OperatorCharts
{
    private const int Width = 640, Height = 180, Left = 56, Right = 12, Top = 12, Bottom = 28;

    /// <summary>The success-rate and latency charts of <paramref name="stats"/>, with links to switch the window.</summary>
    public static string DeliveryCharts(DeliveryStatsDto stats, string self)
    {
        var points = stats.Points;
        var maxLatency = Math.Max(1, points.Max(p => p.MaxDurationMs ?? 0));
        var windows = string.Join(" ", GetDeliveryStatsQuery.Windows.Keys.Select(w => w == stats.Window
            ? $"<strong aria-current=\"true\">{Label(w)}</strong>"
            : $"<a href=\"{E(self)}?window={w}\" id=\"window-{w}\">{Label(w)}</a>"));
        var rows = string.Join("\n", points.Select(p => $"""
            <tr><td>{Time(p.Start)}</td><td>{p.Attempts}</td><td>{p.Succeeded}</td><td>{p.DeadLettered}</td><td>{Percent(p.SuccessRate)}</td>
            <td>{Ms(p.AverageDurationMs)}</td><td>{Ms(p.MaxDurationMs)}</td></tr>
            """));
        return $"""
            <p class="muted">{windows} · {stats.BucketSeconds / 60} minutes a point, UTC.</p>
            <div class="charts">
            {Chart("chart-success", "Delivery success rate (%)", points, p => p.SuccessRate * 100, 100, "%", "#1a7f37")}
            {Chart("chart-latency", "Response time (ms): average, and the slowest attempt", points, p => p.AverageDurationMs, maxLatency, " ms", "#0969da",
                p => p.MaxDurationMs)}
            </div>
            <details><summary>The numbers</summary>
            <table id="delivery-stats"><caption class="sr-only">Delivery attempts per time bucket</caption>
            <thead><tr><th scope="col">From</th><th scope="col">Attempts</th><th scope="col">Succeeded</th><th scope="col">Dead-lettered</th><th scope="col">Success</th><th scope="col">Average</th><th scope="col">Slowest</th></tr></thead>
            <tbody>{rows}</tbody></table></details>
            """;
    }

    private static string Label(string window) => window == "1h" ? "Last hour" : "Last 24 hours";

    private static string Chart(string id, string title, IReadOnlyList<DeliveryStatsPointDto> points, Func<DeliveryStatsPointDto, double?> value, double max,
        string unit, string color, Func<DeliveryStatsPointDto, double?>? secondary = null)
    {
        double X(int i) => Left + (points.Count == 1 ? 0 : i * (Width - Left - Right) / (double)(points.Count - 1));
        double Y(double v) => Top + (Height - Top - Bottom) * (1 - Math.Clamp(v / max, 0, 1));
        var grid = string.Join("", new[] { 0, 0.5, 1 }.Select(f => $"""
            <line x1="{Left}" x2="{Width - Right}" y1="{N(Y(max * f))}" y2="{N(Y(max * f))}" stroke="#d0d7de" stroke-width="1"/><text x="{Left - 6}" y="{N(Y(max * f) + 4)}" text-anchor="end" font-size="11" fill="#57606a">{N(max * f)}{E(unit)}</text>
            """));
        var ticks = string.Join("", new[] { 0, points.Count / 2, points.Count - 1 }.Distinct().Select(i => $"""
            <text x="{N(X(i))}" y="{Height - 8}" text-anchor="{(i == points.Count - 1 ? "end" : i == 0 ? "start" : "middle")}" font-size="11" fill="#57606a">{points[i].Start.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)}</text>
            """));
        var series = Series(points, value, X, Y, color, unit, "3") + (secondary is null ? "" : Series(points, secondary, X, Y, "#bc4c00", unit, "1.5"));
        return $"""
            <figure class="chart"><svg id="{id}" viewBox="0 0 {Width} {Height}" role="img" aria-labelledby="{id}-title" xmlns="http://www.w3.org/2000/svg">
            <title id="{id}-title">{E(title)}</title>{grid}{ticks}{series}</svg><figcaption>{E(title)}</figcaption></figure>
            """;
    }

    /// <summary>A line through the buckets that have a value (a gap where none), and a dot with a tooltip on each.</summary>
    private static string Series(IReadOnlyList<DeliveryStatsPointDto> points, Func<DeliveryStatsPointDto, double?> value, Func<int, double> x, Func<double, double> y,
        string color, string unit, string width)
    {
        var segments = new List<List<string>> { new() };
        var dots = new List<string>();
        for (var i = 0; i < points.Count; i++)
        {
            if (value(points[i]) is not { } v)
            {
                if (segments[^1].Count > 0) segments.Add([]);
                continue;
            }
            segments[^1].Add($"{N(x(i))},{N(y(v))}");
            dots.Add($"""<circle cx="{N(x(i))}" cy="{N(y(v))}" r="3" fill="{color}" class="point"><title>{points[i].Start.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)}: {N(v)}{E(unit)}</title></circle>""");
        }
        var lines = string.Join("", segments.Where(s => s.Count > 1).Select(s => $"""<polyline points="{string.Join(" ", s)}" fill="none" stroke="{color}" stroke-width="{width}"/>"""));
        return lines + string.Join("", dots);
    }

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Percent(double? rate) => rate is { } r ? N(r * 100) + " %" : "—";

    private static string Ms(double? ms) => ms is { } m ? N(m) + " ms" : "—";
}
