using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.Endpoints;
using Integrations.Api.OpenApi;
using Integrations.Application.ConsoleSessions.Commands.CreateConsoleSession;
using Microsoft.Extensions.Options;

namespace Integrations.Api.Console;

public sealed record CreateConsoleSessionRequest(
    [property: Description("The tenant to open the console for; only with the admin key (a tenant key opens its own).")] Guid? TenantId = null);

public sealed record ConsoleSessionDto(
    [property: Description("Open this URL (top level or in an iframe) to start a console session for the tenant. It works once.")] string Url,
    [property: Description("After this instant the URL no longer works.")] DateTimeOffset ExpiresAt);

/// <summary>POST /api/v1/console-sessions: the product embeds the console for one tenant (docs/console.md#embedding).</summary>
public static class ConsoleSessionEndpoints
{
    public static IEndpointRouteBuilder MapConsoleSessionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/console-sessions", async (CreateConsoleSessionRequest? body, [AsParameters] ApiRequest request, IOptionsMonitor<ConsoleOptions> options) =>
            {
                var settings = options.CurrentValue;
                var created = await request.Send(new CreateConsoleSessionCommand(request.ResolveTenant(body?.TenantId), settings.EmbedLinkLifetime));
                var baseUrl = settings.PublicBaseUrl is { Length: > 0 } configured ? configured.TrimEnd('/') : $"{request.Http.Request.Scheme}://{request.Http.Request.Host}";
                // The answer holds a bearer link: no cache may keep it.
                request.Http.Response.Headers.CacheControl = "no-store";
                return Results.Created((string?)null, new ConsoleSessionDto($"{baseUrl}/console/embed?token={Uri.EscapeDataString(created.Token)}", created.ExpiresAt));
            })
            .WithTags("Console sessions")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("createConsoleSession").WithSummary("Create a console link")
            .WithDescription("A short-lived, single-use link that opens the customer console for the tenant, to embed it in the product's own settings page. " +
                             "Only a hash of the link's token is stored; opening it a second time or after expires_at shows an error page.")
            .Produces<ConsoleSessionDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithRequestExample(new { });
        return app;
    }
}
