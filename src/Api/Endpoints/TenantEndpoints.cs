using System.ComponentModel;
using System.Globalization;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.ApiKeys.Commands.CreateApiKey;
using Integrations.Application.ApiKeys.Commands.RevokeApiKey;
using Integrations.Application.ApiKeys.Queries.ListApiKeys;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Tenants.Commands.CreateTenant;
using Integrations.Application.Tenants.Commands.UpdateTenant;
using Integrations.Application.Tenants.Queries.GetTenant;
using Integrations.Application.Tenants.Queries.ListTenants;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record CreateTenantRequest(
    [property: Description("The organisation's display name, 1–200 characters.")] string? Name,
    [property: Description("starter, pro or enterprise: it sets the rate limit (docs/api/rate-limits.md).")] string? Plan);

public sealed record UpdateTenantRequest([property: Description("starter, pro or enterprise; absent leaves the plan unchanged.")] string? Plan = null);

public static class TenantEndpoints
{
    internal static readonly Guid ExampleTenantId = Guid.Parse("0193a5f0-1c2d-7e3f-8a4b-5c6d7e8f9a0b");

    public static IEndpointRouteBuilder MapTenantEndpoints(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/api/v1/tenants").WithTags("Tenants");
        var exampleTenant = new TenantDto(ExampleTenantId, "Acme", "pro", new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), 1);

        tenants.MapPost("/", async (CreateTenantRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, IMediator mediator, CancellationToken ct) =>
            {
                var tenant = await mediator.Send(new CreateTenantCommand(body.Name ?? "", body.Plan ?? "", idempotencyKey), ct);
                return WithETag(Results.Created($"/api/v1/tenants/{tenant.Id}", tenant), tenant);
            })
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin")
            .WithName("createTenant").WithSummary("Create a tenant")
            .WithDescription("Creates an organisation using the product. Send an Idempotency-Key to make retries safe: a repeat returns the first result for 24 hours.")
            .Produces<TenantDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithRequestExample(new { name = "Acme", plan = "pro" })
            .WithResponseExample(StatusCodes.Status201Created, exampleTenant);

        tenants.MapGet("/", async (ListRequest list, HttpContext http, IMediator mediator, CancellationToken ct) =>
                list.Page(await mediator.Send(new ListTenantsQuery(list.Query), ct), http))
            .WithListConventions<TenantDto>(ListTenantsQuery.Spec)
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin")
            .WithName("listTenants").WithSummary("List tenants")
            .WithDescription("Every tenant, newest first by default. Filter by plan and creation time, sort by created_at or name.");

        tenants.MapGet("/{id:guid}", async (Guid id, [AsParameters] ApiRequest request) =>
            {
                var tenant = await request.Send(new GetTenantQuery(request.ResolveTenant(id)));
                return WithETag(Results.Ok(tenant), tenant);
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("getTenant").WithSummary("Retrieve a tenant")
            .WithDescription("A tenant key reads its own tenant only. The ETag header carries the version for If-Match.")
            .Produces<TenantDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .WithResponseExample(StatusCodes.Status200OK, exampleTenant);

        // JSON merge patch; If-Match pins the version read earlier (optimistic concurrency, 409 on mismatch).
        tenants.MapPatch("/{id:guid}", async (Guid id, UpdateTenantRequest body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var tenant = await mediator.Send(new UpdateTenantCommand(id, body.Plan, IfMatch(http)), ct);
                return WithETag(Results.Ok(tenant), tenant);
            })
            .RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin")
            .WithName("updateTenant").WithSummary("Update a tenant")
            .WithDescription("A JSON merge patch. A plan change applies to the tenant's rate limit from the next request on. Send If-Match with the ETag you read to refuse a lost update.")
            .Produces<TenantDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "concurrency_conflict")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "invalid_plan")
            .WithRequestExample(new { plan = "enterprise" })
            .WithResponseExample(StatusCodes.Status200OK, exampleTenant with { Plan = "enterprise", Version = 2 });

        // A tenant key may issue keys for its own tenant (rotation without the admin); OAuth access tokens may not (ScopeEnforcement).
        tenants.MapPost("/{id:guid}/api-keys", async (Guid id, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] ApiRequest request) =>
            {
                var tenantId = request.ResolveTenant(id);
                var key = await request.Send(new CreateApiKeyCommand(tenantId, idempotencyKey));
                // The body carries a secret: no cache may keep it.
                request.Http.Response.Headers.CacheControl = "no-store";
                return Results.Created($"/api/v1/tenants/{tenantId}/api-keys/{key.Id}", key);
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("createApiKey").WithSummary("Create an API key")
            .WithDescription("Issues a key for the tenant: the admin key for any tenant, a tenant's API key for its own (another tenant's id is 404). The response is the only time the key itself is shown; the platform keeps only its hash. With an Idempotency-Key, a retry within 24 hours returns the same key (stored encrypted meanwhile). Not open to OAuth access tokens.")
            .Produces<CreatedApiKeyDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
            .WithResponseExample(StatusCodes.Status201Created, new CreatedApiKeyDto(Guid.Parse("0193a5f1-2b3c-7d4e-9f50-6172839a4b5c"),
                "ik_XBUfF65p_N6yYQHGdCk_x0Nxx_4R7ZX-Bt-6caK7O68FQdq1n_Y4", "ik_XBUfF65p", new DateTimeOffset(2026, 11, 22, 9, 1, 0, TimeSpan.Zero)));

        tenants.MapGet("/{id:guid}/api-keys", async (Guid id, ListRequest list, [AsParameters] ApiRequest request) =>
                list.Page(await request.Send(new ListApiKeysQuery(request.ResolveTenant(id), list.Query)), request.Http))
            .WithListConventions<ApiKeyDto>(ListApiKeysQuery.Spec)
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listApiKeys").WithSummary("List a tenant's API keys")
            .WithDescription("Newest first, revoked keys included with revoked_at, never with the key itself.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        // A tenant may revoke its own keys (rotation without the admin); revoking twice is a no-op.
        tenants.MapDelete("/{id:guid}/api-keys/{keyId:guid}", async (Guid id, Guid keyId, [AsParameters] ApiRequest request) =>
            {
                await request.Send(new RevokeApiKeyCommand(request.ResolveTenant(id), keyId));
                return Results.NoContent();
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("revokeApiKey").WithSummary("Revoke an API key")
            .WithDescription("The key stops working with the next request. Revoking a revoked key again succeeds and changes nothing.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found", "api_key_not_found");

        return app;
    }

    private static IResult WithETag(IResult result, TenantDto tenant) => new ETagResult(result, tenant.Version);

    private static long? IfMatch(HttpContext http)
    {
        var raw = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrEmpty(raw)) return null;
        var trimmed = raw.Trim().TrimStart('W', '/').Trim('"');
        return long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new ValidationException([new ValidationError("If-Match", "invalid", "If-Match must be an ETag returned by this API.")]);
    }

    private sealed class ETagResult(IResult inner, long version) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.ETag = $"\"{version}\"";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
