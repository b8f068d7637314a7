using System.ComponentModel;
using System.Text.Json;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OAuth;
using Integrations.Api.OpenApi;
using Integrations.Application.Apps;
using Integrations.Application.Apps.Commands.ApproveApp;
using Integrations.Application.Apps.Commands.DisconnectApp;
using Integrations.Application.Apps.Commands.RegisterApp;
using Integrations.Application.Apps.Commands.RejectApp;
using Integrations.Application.Apps.Queries.ListAppsForReview;
using Integrations.Application.Apps.Commands.RotateAppSecret;
using Integrations.Application.Apps.Commands.SubmitApp;
using Integrations.Application.Apps.Commands.UpdateApp;
using Integrations.Application.Apps.Queries.GetApp;
using Integrations.Application.Apps.Queries.ListApps;
using Integrations.Application.Apps.Queries.ListInstalledApps;
using Integrations.Application.Common.Exceptions;
using MediatR;

namespace Integrations.Api.Endpoints;

public sealed record RegisterAppRequest(
    [property: Description("Display name, 1–100 characters.")] string? Name,
    [property: Description("Exact redirect URIs: https, or http on a loopback host (127.0.0.1, [::1], localhost; RFC 8252). No fragments.")] IReadOnlyList<string>? RedirectUris,
    [property: Description("Scopes the app may ever request, from the catalogue in docs/oauth.md.")] IReadOnlyList<string>? Scopes,
    [property: Description("public (no secret, PKCE required) or confidential (client secret).")] string? ClientType,
    [property: Description("What the app does, up to 2000 characters; shown on the marketplace page.")] string? Description = null,
    [property: Description("The developer's site (https).")] string? HomepageUrl = null,
    [property: Description("Logo image URL (https).")] string? LogoUrl = null,
    [property: Description("Organisations (tenant ids) that may install this private app besides the owner.")] IReadOnlyList<Guid>? AllowedTenantIds = null,
    [property: Description("Up to 8 screenshot image URLs (https), shown in this order on the marketplace page.")] IReadOnlyList<string>? ScreenshotUrls = null,
    [property: Description("Where the marketplace lists the app: communication, crm, accounting, project-management, productivity, analytics, developer-tools or other (the default).")] string? Category = null);

/// <summary>
/// A JSON merge patch of an app. homepage_url, logo_url and screenshot_urls are raw JSON to tell
/// "absent" (unchanged) from null (remove). Scopes, client_type and allowed organisations are not
/// patchable: sending them is refused as an unknown field, so consented scopes never widen.
/// </summary>
public sealed record UpdateAppRequest
{
    [Description("Display name, 1–100 characters.")] public string? Name { get; init; }

    [Description("The marketplace category (see registration); absent or null leaves it unchanged.")] public string? Category { get; init; }

    [Description("What the app does, up to 2000 characters; null empties it.")] public JsonElement Description { get; init; }

    [Description("The developer's site (https); null removes it.")] public JsonElement HomepageUrl { get; init; }

    [Description("Logo image URL (https); null removes it.")] public JsonElement LogoUrl { get; init; }

    [Description("Up to 8 screenshot URLs (https), replacing the current ones; null or [] removes them.")] public JsonElement ScreenshotUrls { get; init; }

    [Description("The complete new set of redirect URIs (1–10), replacing the current ones.")] public IReadOnlyList<string>? RedirectUris { get; init; }
}

public sealed record RejectAppRequest([property: Description("Why, shown to the developer.")] string? Reason);

public static class AppEndpoints
{
    public static IEndpointRouteBuilder MapAppEndpoints(this IEndpointRouteBuilder app)
    {
        var apps = app.MapGroup("/api/v1/apps").WithTags("Apps");
        var exampleApp = new AppDto(Guid.Parse("0193a5f3-0000-7000-8000-000000000001"), "app_5Yc1n0Qb2tVh8WmK", TenantEndpoints.ExampleTenantId, "Invoice Sync",
            "Copies paid invoices to your accounting system.", "https://invoicesync.example", null, ["https://invoicesync.example/screens/dashboard.png"],
            ["https://invoicesync.example/callback"], ["events:read", "webhooks:write"], "confidential", "private", [], "none", null,
            new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), "accounting");

        apps.MapPost("/", async (RegisterAppRequest body, [AsParameters] TenantRequest request) =>
            {
                var registered = await request.Send(new RegisterAppCommand(request.ResolveTenant(), body.Name, body.Description, body.HomepageUrl,
                    body.LogoUrl, body.ScreenshotUrls, body.RedirectUris, body.Scopes, body.ClientType, body.AllowedTenantIds, body.Category));
                request.Http.Response.Headers.CacheControl = "no-store";
                return Results.Created($"/api/v1/apps/{registered.App.Id}", registered);
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("registerApp").WithSummary("Register an app")
            .WithDescription("Registers an OAuth client owned by the calling organisation. Confidential apps get a client_secret in this response only (stored hashed). The app starts private: installable by the owner and the listed organisations.")
            .Produces<RegisteredAppDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithRequestExample(new
            {
                name = "Invoice Sync", description = "Copies paid invoices to your accounting system.", homepage_url = "https://invoicesync.example",
                logo_url = "https://invoicesync.example/logo.png", screenshot_urls = new[] { "https://invoicesync.example/screens/dashboard.png" },
                redirect_uris = new[] { "https://invoicesync.example/callback" }, scopes = new[] { "events:read", "webhooks:write" }, client_type = "confidential",
                category = "accounting",
            })
            .WithResponseExample(StatusCodes.Status201Created, new RegisteredAppDto(exampleApp, "cs_pW4n8Xv0cQe2Rt6Yu1Io3Pa5Sd7Fg9Hj0Kl2Zx4Cv6B"));

        apps.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListAppsQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<AppDto>(ListAppsQuery.Spec, "tenant_id")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listApps").WithSummary("List the organisation's apps")
            .WithDescription("The apps this organisation registered (as a developer), newest first, never with secrets.")
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        apps.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetAppQuery(request.ResolveTenant(), id))))
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("getApp").WithSummary("Retrieve an app")
            .WithDescription("One app of this organisation with its review status, never with its secret.")
            .Produces<AppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        apps.MapPatch("/{id:guid}", async (Guid id, UpdateAppRequest body, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new UpdateAppCommand(request.ResolveTenant(), id, body.Name,
                    RemovableText(body.Description, "description"), RemovableText(body.HomepageUrl, "homepage_url"), RemovableText(body.LogoUrl, "logo_url"),
                    Screenshots(body.ScreenshotUrls), body.RedirectUris, body.Category))))
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("updateApp").WithSummary("Update an app")
            .WithDescription("A JSON merge patch of name, category, description, homepage_url, logo_url, screenshot_urls and redirect_uris (null removes the optional ones). " +
                             "Scopes cannot be changed (sending scopes is 400 invalid_json): members consented to the scopes the app declared, so an app that needs more registers anew.")
            .Produces<AppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithRequestExample(new { description = "Copies paid invoices and refunds to your accounting system.", screenshot_urls = new[] { "https://invoicesync.example/screens/dashboard.png" }, logo_url = (string?)null })
            .WithResponseExample(StatusCodes.Status200OK, exampleApp with { Description = "Copies paid invoices and refunds to your accounting system." });

        apps.MapPost("/{id:guid}/rotate-secret", async (Guid id, [AsParameters] TenantRequest request) =>
            {
                var secret = await request.Send(new RotateAppSecretCommand(request.ResolveTenant(), id));
                request.Http.Response.Headers.CacheControl = "no-store";
                return Results.Ok(secret);
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("rotateAppSecret").WithSummary("Rotate an app's client secret")
            .WithDescription("Issues a new client secret, shown only in this response; the previous secret stops working at once.")
            .Produces<ClientSecretDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "public_client")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        apps.MapPost("/{id:guid}/submit", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new SubmitAppCommand(request.ResolveTenant(), id))))
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("submitApp").WithSummary("Submit an app for the public marketplace")
            .WithDescription("Asks the platform to review the app. Once approved it is public: listed in the marketplace and installable by any organisation.")
            .Produces<AppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "review_in_progress")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        var admin = app.MapGroup("/api/v1/admin/apps").WithTags("Apps");
        admin.MapGet("/", async (ListRequest list, HttpContext http, IMediator mediator, CancellationToken ct) =>
                list.Page(await mediator.Send(new ListAppsForReviewQuery(list.Query), ct), http))
            .WithListConventions<AppDto>(ListAppsForReviewQuery.Spec)
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin")
            .WithName("listAppsForReview").WithSummary("List every organisation's apps (the review queue)")
            .WithDescription("Apps of every developer organisation, newest first, never with secrets; `review_status=pending` is the queue of submitted apps to approve or reject.");

        admin.MapPost("/{id:guid}/approve", async (Guid id, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new ApproveAppCommand(id), ct)))
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin")
            .WithName("approveApp").WithSummary("Approve a submitted app")
            .WithDescription("The app becomes public: listed in the marketplace and installable by any organisation.")
            .Produces<AppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "not_pending");

        admin.MapPost("/{id:guid}/reject", async (Guid id, RejectAppRequest body, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new RejectAppCommand(id, body.Reason), ct)))
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin")
            .WithName("rejectApp").WithSummary("Reject a submitted app")
            .WithDescription("The app stays private; the reason is recorded and shown to the developer.")
            .Produces<AppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "not_pending")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithRequestExample(new { reason = "The privacy policy link is missing." });

        app.MapPost("/api/v1/admin/oauth/signing-keys/rotate", async (SigningKeys keys, CancellationToken ct) => Results.Ok(new SigningKeyRotatedDto(await keys.RotateAsync(ct))))
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin").WithTags("Apps")
            .WithName("rotateSigningKey").WithSummary("Rotate the access-token signing key")
            .WithDescription("A new ES256 key signs from now on; the previous keys stay in the JWKS until every token they signed expired.")
            .Produces<SigningKeyRotatedDto>(StatusCodes.Status200OK);

        var installed = app.MapGroup("/api/v1/installed-apps").WithTags("Apps");
        installed.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListInstalledAppsQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<InstalledAppDto>(ListInstalledAppsQuery.Spec, "tenant_id")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listInstalledApps").WithSummary("List installed apps")
            .WithDescription("Apps that members of the organisation authorized and that still hold an active grant, with the scopes granted; most recently installed first.")
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        installed.MapDelete("/{appId:guid}", async (Guid appId, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new DisconnectAppCommand(request.ResolveTenant(), appId))))
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("disconnectApp").WithSummary("Disconnect an app")
            .WithDescription("Revokes every grant of the app in this organisation at once: its access tokens stop working with the next request and its refresh tokens are dead.")
            .Produces<DisconnectedDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_installed", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");
        return app;
    }

    /// <summary>Merge-patch text: absent is null (unchanged), JSON null is "" (remove).</summary>
    private static string? RemovableText(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.Undefined => null,
        JsonValueKind.Null => "",
        JsonValueKind.String => value.GetString(),
        _ => throw new ValidationException([new ValidationError(field, "invalid_type", $"{field} must be a string or null.")]),
    };

    /// <summary>Absent leaves the screenshots unchanged; null or [] removes them.</summary>
    private static IReadOnlyList<string>? Screenshots(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => null,
        JsonValueKind.Null => [],
        JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(e => e.GetString()!).ToList(),
        _ => throw new ValidationException([new ValidationError("screenshot_urls", "invalid_type", "screenshot_urls must be an array of strings or null.")]),
    };
}

public sealed record SigningKeyRotatedDto(string Kid);
