using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Integrations.Fakes.Common.Control;

namespace Integrations.Fakes.Common;

/// <summary>
/// Start-up of a fake: a Kestrel app on a random loopback port (unless <c>--urls</c> says otherwise),
/// JSON in snake_case, the shared state (clock, request log, faults, rate limits) and, once listening,
/// one machine-readable line on stdout: <c>FAKE_READY {"name":…,"base_url":"http://127.0.0.1:port",…}</c>.
/// </summary>
public static class FakeApp
{
    /// <summary>The prefix of the ready line; the rest of the line is a JSON object.</summary>
    public const string ReadyPrefix = "FAKE_READY ";

    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<JsonOptions>(o => Configure(o.SerializerOptions));
        builder.Services.AddSingleton<FakeClock>();
        builder.Services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<FakeClock>());
        builder.Services.AddFakeState<FakeClock>();
        builder.Services.AddFakeState<RequestLog>();
        builder.Services.AddFakeState<FaultRules>();
        builder.Services.AddFakeState<RateLimits>();
        return builder;
    }

    /// <summary>Registers a singleton whose state <c>POST /_fake/reset</c> restores.</summary>
    public static IServiceCollection AddFakeState<T>(this IServiceCollection services)
        where T : class, IFakeResettable
    {
        services.AddSingleton<T>();
        services.AddSingleton<IFakeResettable>(sp => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>
    /// The pipeline every fake shares, in this order: the control API (never recorded, faulted or
    /// limited), request recording, fault injection, rate limiting; the fake's own endpoints follow.
    /// </summary>
    public static WebApplication UseFakeFoundation(this WebApplication app)
    {
        app.UseWhen(context => !ControlApi.IsControlPath(context.Request.Path), calls =>
        {
            calls.UseMiddleware<RequestRecordingMiddleware>();
            calls.UseMiddleware<FaultInjectionMiddleware>();
            calls.UseMiddleware<RateLimitMiddleware>();
        });
        app.MapFakeControlApi();
        return app;
    }

    /// <summary>Starts the app, prints the ready line (with <paramref name="extra"/> fields) and runs until stopped.</summary>
    public static async Task RunAsync(WebApplication app, string name, IReadOnlyDictionary<string, object?>? extra = null)
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var ready = new Dictionary<string, object?> { ["name"] = name, ["base_url"] = address.TrimEnd('/'), ["pid"] = Environment.ProcessId };
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
        {
            ready[key] = value;
        }
        Console.Out.WriteLine(ReadyPrefix + JsonSerializer.Serialize(ready, Json));
        Console.Out.Flush();
        await app.WaitForShutdownAsync();
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    private static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }
}

/// <summary>State of a fake that <c>POST /_fake/reset</c> puts back as it was at start-up.</summary>
public interface IFakeResettable
{
    void Reset();
}

/// <summary>
/// The fake's clock: real time plus an offset that <c>POST /_fake/clock/advance</c> moves forward, so
/// tests make codes, tokens and rate-limit windows expire without waiting.
/// </summary>
public sealed class FakeClock : TimeProvider, IFakeResettable
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), "the clock only moves forward");
        }
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);
}
