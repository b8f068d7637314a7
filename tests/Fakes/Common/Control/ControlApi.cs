using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Fakes.Common.Control;

/// <summary>
/// The control API every fake offers under <c>/_fake</c> (tests/Fakes/README.md): reset, recorded
/// requests, fault injection, rate limits and the fake's clock. Its own calls are never recorded,
/// faulted or limited.
/// </summary>
public static class ControlApi
{
    public const string Prefix = "/_fake";

    public static bool IsControlPath(PathString path) => path.StartsWithSegments(Prefix, StringComparison.Ordinal);

    /// <summary>A 400 answer of the control API.</summary>
    public static IResult Invalid(string message) =>
        Results.BadRequest(new { error = "invalid_request", message });

    /// <summary>Reads a JSON body of the control API; null (and a message) when it is missing or malformed.</summary>
    public static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, FakeApp.Json, request.HttpContext.RequestAborted);
            return value is null ? (null, "a JSON body is required") : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, "malformed JSON: " + ex.Message);
        }
    }

    public static void MapFakeControlApi(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<RateLimits>();
        var fromArguments = app.Configuration.GetSection("RateLimit");
        if (fromArguments.Exists())
        {
            var policy = ConfigurationJson.Read<RateLimitPolicy>(fromArguments);
            limits.Configure([policy.Validate() is { } problem ? throw new InvalidOperationException("RateLimit: " + problem) : policy]);
        }

        var control = app.MapGroup(Prefix);
        control.MapPost("/reset", (IEnumerable<IFakeResettable> state) =>
        {
            foreach (var part in state)
            {
                part.Reset();
            }
            return Results.NoContent();
        });

        control.MapGet("/requests", (RequestLog log, string? path_prefix, string? method) =>
            Results.Ok(new { data = log.Find(path_prefix, method) }));
        control.MapDelete("/requests", (RequestLog log) =>
        {
            log.Reset();
            return Results.NoContent();
        });

        control.MapGet("/faults", (FaultRules faults) => Results.Ok(new { data = faults.Describe() }));
        control.MapPost("/faults", async (HttpRequest request, FaultRules faults) =>
        {
            var (rule, error) = await ReadAsync<FaultRule>(request);
            error ??= rule!.Validate();
            if (error is not null)
            {
                return Invalid(error);
            }
            faults.Add(rule!);
            return Results.Created("/_fake/faults", rule);
        });
        control.MapDelete("/faults", (FaultRules faults) =>
        {
            faults.Reset();
            return Results.NoContent();
        });

        control.MapGet("/rate-limits", (RateLimits rateLimits) => Results.Ok(new { data = rateLimits.Policies }));
        control.MapPut("/rate-limits", async (HttpRequest request, RateLimits rateLimits) =>
        {
            var (body, error) = await ReadAsync<RateLimitList>(request);
            error ??= body!.Data.Select(p => p.Validate()).FirstOrDefault(e => e is not null);
            if (error is not null)
            {
                return Invalid(error);
            }
            rateLimits.Replace(body!.Data);
            return Results.Ok(new { data = rateLimits.Policies });
        });
        control.MapDelete("/rate-limits", (RateLimits rateLimits) =>
        {
            rateLimits.Replace([]);
            return Results.NoContent();
        });

        control.MapGet("/clock", (FakeClock clock) => Results.Ok(new { now = clock.GetUtcNow(), offset_seconds = clock.Offset.TotalSeconds }));
        control.MapPost("/clock/advance", async (HttpRequest request, FakeClock clock) =>
        {
            var (body, error) = await ReadAsync<ClockAdvance>(request);
            if (error is not null || body!.Seconds is not (> 0 and <= 10 * 365 * 86400))
            {
                return Invalid(error ?? "seconds must be positive (at most ten years)");
            }
            clock.Advance(TimeSpan.FromSeconds(body.Seconds));
            return Results.Ok(new { now = clock.GetUtcNow(), offset_seconds = clock.Offset.TotalSeconds });
        });
    }

    private sealed record RateLimitList(List<RateLimitPolicy> Data);

    private sealed record ClockAdvance(double Seconds);
}
