using System.Text.Json;
using Integrations.Api.Authentication;
using Integrations.Api.Console;
using Integrations.Api.Docs;
using Integrations.Api.Endpoints;
using Integrations.Api.Errors;
using Integrations.Api.Inbound;
using Integrations.Api.Listing;
using Integrations.Api.Middleware;
using Integrations.Api.OAuth;
using Integrations.Api.OpenApi;
using Integrations.Api.RateLimiting;
using Integrations.Application;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Health;
using Integrations.Infrastructure.Persistence;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Integrations.Api;

public static class ApiHost
{
    /// <summary>Largest request body accepted; beyond it the answer is 413 payload_too_large.</summary>
    public const long MaxRequestBodyBytes = 512 * 1024;

    /// <param name="configure">Runs before services are built: tests use it to point at their own PostgreSQL and broker.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (Environment.GetEnvironmentVariable("INTEGRATIONS_ADMIN_KEY") is { Length: > 0 } adminKey && string.IsNullOrEmpty(builder.Configuration["Auth:AdminKey"]))
            builder.Configuration["Auth:AdminKey"] = adminKey;
        configure?.Invoke(builder);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
            // Above the API's own limit (RequestContextMiddleware.MaxRequestTargetLength), so that a
            // long URL is refused in the error format instead of by Kestrel with an empty 414.
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            // Any byte reaches our code, which refuses non-ASCII values of the headers it reads with a
            // body (Kestrel's UTF-8-only default answers an empty 400 first).
            kestrel.RequestHeaderEncodingSelector = _ => System.Text.Encoding.Latin1;
        });
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        // Bad JSON and unbindable parameters throw, so they reach the error format instead of an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ExceptionToErrorHandler>();

        builder.Services.AddApplication();
        builder.Services.AddInfrastructure(builder.Configuration);
        builder.Services.AddHostedService<MigrationHostedService>();
        // Slash command answers that missed Slack's 3 seconds, posted to their response_url.
        builder.Services.AddHostedService(p => p.GetRequiredService<Integrations.Infrastructure.Providers.Slack.SlackFollowUpSender>());
        builder.Services.AddBearerAuthentication(builder.Configuration);
        builder.Services.AddOAuthServer(builder.Configuration);
        builder.Services.AddConsole(builder.Configuration);
        builder.Services.AddApiRateLimiting(builder.Configuration);
        builder.Services.AddApiDocument();
        builder.Services.AddHealthChecks().AddInfrastructureHealthChecks();

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Reached only if the handler above declined (e.g. the response had started).
            ExceptionHandler = context => ApiErrors.WriteAsync(context, 500, "internal_error", "Something went wrong on our side."),
        });
        app.UseMiddleware<RequestContextMiddleware>();
        app.UseStatusCodePages(context => StatusCodeErrors.WriteAsync(context.HttpContext));
        app.UseAuthentication();
        // After authentication: the quota is per tenant, so the limiter needs to know the caller.
        app.UseRateLimiter();
        app.Use(RequestContextMiddleware.SetActor);
        app.UseAuthorization();
        // OAuth access tokens: the scope each operation needs (docs/oauth.md); API keys pass untouched.
        app.Use(ScopeEnforcement.Middleware);
        // After authorization: an anonymous caller's body is never read.
        app.UseMiddleware<JsonBodyGuardMiddleware>();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth });
        // Every API endpoint refuses query parameters it does not know (docs/api/conventions.md).
        var api = app.MapGroup("").RejectUnknownQueryParameters();
        api.MapTenantEndpoints();
        api.MapEventEndpoints();
        api.MapEventTypeEndpoints();
        api.MapWebhookEndpointEndpoints();
        api.MapWebhookDeliveryEndpoints();
        api.MapHookEndpoints();
        api.MapAdminEndpoints();
        api.MapAdminDashboardEndpoints();
        api.MapConnectorEndpoints();
        api.MapScheduleEndpoints();
        api.MapMemberEndpoints();
        api.MapAppEndpoints();
        api.MapMarketplaceEndpoints();
        api.MapProviderEndpoints();
        api.MapConnectionEndpoints();
        api.MapSlackEndpoints();
        api.MapJiraEndpoints();
        api.MapRegistrationEndpoints();
        api.MapTeamsEndpoints();
        api.MapNotificationEndpoints();
        api.MapProductBridgeEndpoints();
        api.MapEntityEndpoints();
        api.MapConsoleSessionEndpoints();
        api.MapInboundSourceEndpoints();
        api.MapEmailEndpoints();
        app.MapOAuthServer();
        app.MapConnectCallback();
        app.MapConsole();
        app.MapInboundReceiver();
        app.MapSlackInbound();
        app.MapTeamsInbound();
        app.MapTeamsTab();
        app.MapJiraInbound();
        app.MapHubSpotInbound();
        app.MapEmailParseInbound();
        app.MapApiDocument();
        app.MapApiDocs();
        return app;
    }

    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString().ToLowerInvariant(),
                description = e.Value.Description,
                duration_ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }, ApiJson.Options);
    }
}
