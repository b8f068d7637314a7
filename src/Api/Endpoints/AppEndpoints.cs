using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.OAuth;
using Integrations.Api.OpenApi;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.OAuth;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record RegisterAppRequest(
    [property: Description("Display name, 1–100 characters.")] string? Name,
    [property: Description("What the app does, up to 2000 characters.")] string? Description,
    [property: Description("The developer's site (https).")] string? HomepageUrl,
    [property: Description("Logo image URL (https).")] string? LogoUrl,
    [property: Description("Exact redirect URIs: https, or http on a loopback host (127.0.0.1, [::1], localhost; RFC 8252). No fragments.")] IReadOnlyList<string>? RedirectUris,
    [property: Description("Scopes the app may ever request, from the catalogue in docs/oauth.md.")] IReadOnlyList<string>? Scopes,
    [property: Description("public (no secret, PKCE required) or confidential (client secret).")] string? ClientType,
    [property: Description("Organisations (tenant ids) that may install this private app besides the owner.")] IReadOnlyList<Guid>? AllowedTenantIds = null);

public sealed record RejectAppRequest([property: Description("Why, shown to the developer.")] string? Reason);

public sealed record AppDto(Guid Id, string ClientId, Guid OwnerTenantId, string Name, string Description, string? HomepageUrl, string? LogoUrl,
    IReadOnlyList<string> RedirectUris, IReadOnlyList<string> Scopes, string ClientType, string Visibility, IReadOnlyList<Guid> AllowedTenantIds,
    string ReviewStatus, string? ReviewReason, DateTimeOffset CreatedAt)
{
    public static AppDto From(AppRow a) => new(a.Id, a.ClientId, a.OwnerTenantId, a.Name, a.Description, a.HomepageUrl, a.LogoUrl, a.RedirectUris, a.Scopes,
        a.ClientType, a.Visibility, a.AllowedTenantIds, a.ReviewStatus, a.ReviewReason, a.CreatedAt);
}

/// <summary>The only responses that carry a client secret: registration of a confidential app, and rotation.</summary>
public sealed record RegisteredAppDto(AppDto App, string? ClientSecret);

public sealed record ClientSecretDto(string ClientId, string ClientSecret);

public sealed record AppList(IReadOnlyList<AppDto> Data);

public sealed record ScopeDto(string Name, string Description);

public sealed record MarketplaceAppDto(string ClientId, string Name, string Description, string? HomepageUrl, string? LogoUrl, IReadOnlyList<ScopeDto> Permissions);

public sealed record MarketplaceList(IReadOnlyList<MarketplaceAppDto> Data);

public sealed record InstalledAppDto(Guid AppId, string ClientId, string Name, IReadOnlyList<string> GrantedScopes, DateTimeOffset InstalledAt, int ActiveGrants);

public sealed record InstalledAppList(IReadOnlyList<InstalledAppDto> Data);

public sealed record DisconnectedDto(Guid AppId, int RevokedGrants);

public static class AppEndpoints
{
    public static IEndpointRouteBuilder MapAppEndpoints(this IEndpointRouteBuilder app)
    {
        var apps = app.MapGroup("/api/v1/apps").WithTags("Apps");
        var exampleApp = new AppDto(Guid.Parse("0193a5f3-0000-7000-8000-000000000001"), "app_5Yc1n0Qb2tVh8WmK", TenantEndpoints.ExampleTenantId, "Invoice Sync",
            "Copies paid invoices to your accounting system.", "https://invoicesync.example", null, ["https://invoicesync.example/callback"],
            ["events:read", "webhooks:write"], "confidential", "private", [], "none", null, new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));

        apps.MapPost("/", async (RegisterAppRequest body, HttpContext http, IOAuthStore store, IClock clock, CancellationToken ct, [FromQuery(Name = "tenant_id")] Guid? tenantId) =>
            {
                var owner = TenantScope.Resolve(http.User, tenantId);
                var row = Validate(body, owner, clock.UtcNow);
                string? secret = null;
                if (row.IsConfidential)
                {
                    secret = OpaqueSecret.Generate("cs_");
                    row = row with { ClientSecretHash = OpaqueSecret.Hash(secret) };
                }
                await store.InsertAppAsync(row, ct);
                http.Response.Headers.CacheControl = "no-store";
                return Results.Created($"/api/v1/apps/{row.Id}", new RegisteredAppDto(AppDto.From(row), secret));
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
                logo_url = "https://invoicesync.example/logo.png",
                redirect_uris = new[] { "https://invoicesync.example/callback" }, scopes = new[] { "events:read", "webhooks:write" }, client_type = "confidential",
            })
            .WithResponseExample(StatusCodes.Status201Created, new RegisteredAppDto(exampleApp, "cs_pW4n8Xv0cQe2Rt6Yu1Io3Pa5Sd7Fg9Hj0Kl2Zx4Cv6B"));

        apps.MapGet("/", async (HttpContext http, IOAuthStore store, CancellationToken ct, [FromQuery(Name = "tenant_id")] Guid? tenantId) =>
                Results.Ok(new AppList((await store.ListAppsAsync(TenantScope.Resolve(http.User, tenantId), ct)).Select(AppDto.From).ToList())))
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listApps").WithSummary("List the organisation's apps")
            .WithDescription("The apps this organisation registered (as a developer), never with secrets.")
            .Produces<AppList>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        apps.MapGet("/{id:guid}", async (Guid id, HttpContext http, IOAuthStore store, CancellationToken ct, [FromQuery(Name = "tenant_id")] Guid? tenantId) =>
                Results.Ok(AppDto.From(await OwnedAsync(store, TenantScope.Resolve(http.User, tenantId), id, ct))))
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("getApp").WithSummary("Retrieve an app")
            .WithDescription("One app of this organisation with its review status, never with its secret.")
            .Produces<AppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        apps.MapPost("/{id:guid}/rotate-secret", async (Guid id, HttpContext http, IOAuthStore store, CancellationToken ct, [FromQuery(Name = "tenant_id")] Guid? tenantId) =>
            {
                var row = await OwnedAsync(store, TenantScope.Resolve(http.User, tenantId), id, ct);
                if (!row.IsConfidential) throw new ConflictException("public_client", "A public app has no client secret.");
                var secret = OpaqueSecret.Generate("cs_");
                await store.SetClientSecretHashAsync(row.Id, OpaqueSecret.Hash(secret), ct);
                http.Response.Headers.CacheControl = "no-store";
                return Results.Ok(new ClientSecretDto(row.ClientId, secret));
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("rotateAppSecret").WithSummary("Rotate an app's client secret")
            .WithDescription("Issues a new client secret, shown only in this response; the previous secret stops working at once.")
            .Produces<ClientSecretDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "public_client")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        apps.MapPost("/{id:guid}/submit", async (Guid id, HttpContext http, IOAuthStore store, CancellationToken ct, [FromQuery(Name = "tenant_id")] Guid? tenantId) =>
            {
                var row = await OwnedAsync(store, TenantScope.Resolve(http.User, tenantId), id, ct);
                if (row.ReviewStatus is "pending" or "approved") throw new ConflictException("review_in_progress", "The app is already submitted or approved.");
                await store.SetReviewAsync(row.Id, row.Visibility, "pending", null, ct);
                return Results.Ok(AppDto.From(row with { ReviewStatus = "pending", ReviewReason = null }));
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("submitApp").WithSummary("Submit an app for the public marketplace")
            .WithDescription("Asks the platform to review the app. Once approved it is public: listed in the marketplace and installable by any organisation.")
            .Produces<AppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "review_in_progress")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        var admin = app.MapGroup("/api/v1/admin/apps").WithTags("Apps");
        admin.MapPost("/{id:guid}/approve", async (Guid id, IOAuthStore store, CancellationToken ct) =>
            {
                var row = await store.FindAppAsync(id, ct) ?? throw new NotFoundException("app_not_found", "No such app.");
                if (row.ReviewStatus != "pending") throw new ConflictException("not_pending", "Only a submitted app can be approved.");
                await store.SetReviewAsync(id, "public", "approved", null, ct);
                return Results.Ok(AppDto.From(row with { Visibility = "public", ReviewStatus = "approved" }));
            })
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin")
            .WithName("approveApp").WithSummary("Approve a submitted app")
            .WithDescription("The app becomes public: listed in the marketplace and installable by any organisation.")
            .Produces<AppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "not_pending");

        admin.MapPost("/{id:guid}/reject", async (Guid id, RejectAppRequest body, IOAuthStore store, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > 2000)
                    throw new ValidationException([new ValidationError("reason", "required", "reason is required (up to 2000 characters).")]);
                var row = await store.FindAppAsync(id, ct) ?? throw new NotFoundException("app_not_found", "No such app.");
                if (row.ReviewStatus != "pending") throw new ConflictException("not_pending", "Only a submitted app can be rejected.");
                await store.SetReviewAsync(id, "private", "rejected", body.Reason, ct);
                return Results.Ok(AppDto.From(row with { Visibility = "private", ReviewStatus = "rejected", ReviewReason = body.Reason }));
            })
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

        app.MapGet("/api/v1/marketplace/apps", async (IOAuthStore store, CancellationToken ct) =>
                Results.Ok(new MarketplaceList((await store.ListPublicAppsAsync(ct)).Select(Marketplace).ToList())))
            .AllowAnonymous().WithAccess("anonymous").WithTags("Apps")
            .WithName("listMarketplaceApps").WithSummary("List the public marketplace")
            .WithDescription("Approved public apps with the permissions they ask for. The HTML page of an app is /marketplace/apps/{client_id}.")
            .Produces<MarketplaceList>(StatusCodes.Status200OK);

        app.MapGet("/marketplace/apps/{clientId}", async (string clientId, IOAuthStore store, CancellationToken ct) =>
            {
                var row = await store.FindAppByClientIdAsync(clientId, ct);
                if (row is null || row.Visibility != "public" || row.ReviewStatus != "approved") return OAuthHtml.Error("No such app in the marketplace.", 404);
                var m = Marketplace(row);
                return OAuthHtml.Page(m.Name, $"""
                    <h1>{OAuthHtml.E(m.Name)}</h1>
                    <p>{OAuthHtml.E(m.Description)}</p>
                    {(m.HomepageUrl is null ? "" : $"<p class=\"muted\">Developer site: {OAuthHtml.E(m.HomepageUrl)}</p>")}
                    <h2>Permissions</h2>
                    <ul class="scopes">{string.Join("", m.Permissions.Select(p => $"<li><code>{OAuthHtml.E(p.Name)}</code>: {OAuthHtml.E(p.Description)}</li>"))}</ul>
                    """);
            }).AllowAnonymous().ExcludeFromDescription();

        var installed = app.MapGroup("/api/v1/installed-apps").WithTags("Apps");
        installed.MapGet("/", async (HttpContext http, IOAuthStore store, CancellationToken ct, [FromQuery(Name = "tenant_id")] Guid? tenantId) =>
                Results.Ok(new InstalledAppList((await store.ListInstalledAppsAsync(TenantScope.Resolve(http.User, tenantId), ct))
                    .Select(i => new InstalledAppDto(i.AppId, i.ClientId, i.Name, i.Scopes, i.FirstGrantedAt, i.ActiveGrants)).ToList())))
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listInstalledApps").WithSummary("List installed apps")
            .WithDescription("Apps that members of the organisation authorized and that still hold an active grant, with the scopes granted.")
            .Produces<InstalledAppList>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        installed.MapDelete("/{appId:guid}", async (Guid appId, HttpContext http, IOAuthStore store, IClock clock, CancellationToken ct, [FromQuery(Name = "tenant_id")] Guid? tenantId) =>
            {
                var revoked = await store.DisconnectAppAsync(TenantScope.Resolve(http.User, tenantId), appId, clock.UtcNow, ct);
                if (revoked == 0) throw new NotFoundException("app_not_installed", "The app has no active grant in this organisation.");
                return Results.Ok(new DisconnectedDto(appId, revoked));
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("disconnectApp").WithSummary("Disconnect an app")
            .WithDescription("Revokes every grant of the app in this organisation at once: its access tokens stop working with the next request and its refresh tokens are dead.")
            .Produces<DisconnectedDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status403Forbidden, "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "app_not_installed", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");
        return app;
    }

    private static MarketplaceAppDto Marketplace(AppRow a) =>
        new(a.ClientId, a.Name, a.Description, a.HomepageUrl, a.LogoUrl, a.Scopes.Select(s => new ScopeDto(s, OAuthScopes.Catalogue[s])).ToList());

    private static async Task<AppRow> OwnedAsync(IOAuthStore store, Guid owner, Guid id, CancellationToken ct)
    {
        var row = await store.FindAppAsync(id, ct);
        return row is not null && row.OwnerTenantId == owner ? row : throw new NotFoundException("app_not_found", "No such app.");
    }

    private static AppRow Validate(RegisterAppRequest body, Guid owner, DateTimeOffset now)
    {
        var errors = new List<ValidationError>();
        var name = body.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100) errors.Add(new ValidationError("name", "invalid_name", "name is required, 1–100 characters."));
        var description = body.Description?.Trim() ?? "";
        if (description.Length > 2000) errors.Add(new ValidationError("description", "too_long", "description is at most 2000 characters."));
        if (body.HomepageUrl is not null && !IsHttpsUrl(body.HomepageUrl)) errors.Add(new ValidationError("homepage_url", "invalid_url", "homepage_url must be an https URL."));
        if (body.LogoUrl is not null && !IsHttpsUrl(body.LogoUrl)) errors.Add(new ValidationError("logo_url", "invalid_url", "logo_url must be an https URL."));
        var redirects = body.RedirectUris ?? [];
        if (redirects.Count is 0 or > 10) errors.Add(new ValidationError("redirect_uris", "invalid_redirect_uris", "1–10 redirect URIs are required."));
        for (var i = 0; i < redirects.Count; i++)
            if (!IsAllowedRedirect(redirects[i]))
                errors.Add(new ValidationError($"redirect_uris[{i}]", "invalid_redirect_uri",
                    "A redirect URI is absolute, without fragment, and https (http only on 127.0.0.1, [::1] or localhost)."));
        var scopes = body.Scopes ?? [];
        if (scopes.Count == 0) errors.Add(new ValidationError("scopes", "required", "Declare at least one scope."));
        foreach (var s in scopes.Where(s => s is null || !OAuthScopes.Catalogue.ContainsKey(s)))
            errors.Add(new ValidationError("scopes", "unknown_scope", $"Unknown scope '{s}'. Known: {string.Join(", ", OAuthScopes.Catalogue.Keys)}."));
        if (body.ClientType is not ("public" or "confidential")) errors.Add(new ValidationError("client_type", "invalid_client_type", "client_type is public or confidential."));
        if (errors.Count > 0) throw new ValidationException(errors);
        return new AppRow(Guid.CreateVersion7(), "app_" + System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)),
            owner, name, description, body.HomepageUrl, body.LogoUrl, redirects.Distinct(StringComparer.Ordinal).ToArray(), scopes.Distinct(StringComparer.Ordinal).ToArray(),
            body.ClientType!, null, "private", (body.AllowedTenantIds ?? []).Distinct().ToArray(), "none", null, now);
    }

    private static bool IsHttpsUrl(string value) => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && value.Length <= 2000;

    /// <summary>RFC 9700 §2.1 / RFC 8252 §7.3: https, or http on a loopback host; never a fragment.</summary>
    public static bool IsAllowedRedirect(string? value)
    {
        if (value is null || value.Length > 2000 || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || value.Contains('#', StringComparison.Ordinal)) return false;
        if (!string.IsNullOrEmpty(uri.UserInfo)) return false;
        if (uri.Scheme == Uri.UriSchemeHttps) return true;
        return uri.Scheme == Uri.UriSchemeHttp && (uri.Host is "127.0.0.1" or "[::1]" or "localhost" || uri.IsLoopback && uri.HostNameType == UriHostNameType.IPv6);
    }
}

public sealed record SigningKeyRotatedDto(string Kid);
