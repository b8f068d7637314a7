using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OAuth;
using Integrations.Api.OpenApi;
using Integrations.Application.Connections;
using Integrations.Application.Connections.Commands.CreateConnection;
using Integrations.Application.Connections.Commands.DeleteConnection;
using Integrations.Application.Connections.Commands.ReconnectConnection;
using Integrations.Application.Connections.Commands.TestConnection;
using Integrations.Application.Connections.Queries.GetConnection;
using Integrations.Application.Connections.Queries.ListConnectionAuditLog;
using Integrations.Application.Connections.Queries.ListConnectionLinks;
using Integrations.Application.Connections.Queries.ListConnections;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;

namespace Integrations.Api.Endpoints;

/// <summary>Credentials given directly: an API key, a user name and password, or the tenant's own OAuth client. Never printed.</summary>
public sealed record ConnectionCredentialsRequest(string? ApiKey = null, string? Username = null, string? Password = null, string? ClientId = null,
    string? ClientSecret = null)
{
    public override string ToString() => "ConnectionCredentialsRequest { [secret] }";

    public SuppliedCredentials ToSupplied() => new(ApiKey, Username, Password, ClientId, ClientSecret);
}

/// <summary>The endpoints of a connection to the generic http provider, or the site of a connection that names one (Jira with an API token).</summary>
public sealed record ConnectionSettingsRequest(string? BaseUrl = null, string? TokenUrl = null, string? HealthCheckPath = null, string? AccountIdPath = null,
    string? AccountNamePath = null, string? ApiKeyHeader = null, string? Site = null)
{
    public SettingsInput ToInput() => new(BaseUrl, TokenUrl, HealthCheckPath, AccountIdPath, AccountNamePath, ApiKeyHeader, Site);
}

public sealed record CreateConnectionRequest(string? Provider, string? AuthKind = null, string? DisplayName = null, IReadOnlyList<string>? Scopes = null,
    ConnectionCredentialsRequest? Credentials = null, ConnectionSettingsRequest? Settings = null, string? ReturnUrl = null, Guid? TenantId = null);

public sealed record ReconnectConnectionRequest(IReadOnlyList<string>? Scopes = null, ConnectionCredentialsRequest? Credentials = null, string? ReturnUrl = null);

public static class ConnectionEndpoints
{
    public static IEndpointRouteBuilder MapConnectionEndpoints(this IEndpointRouteBuilder app)
    {
        var connections = app.MapGroup("/api/v1/connections").WithTags("Connections")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        connections.MapPost("/", async (CreateConnectionRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] ApiRequest request) =>
        {
            var created = await request.Send(new CreateConnectionCommand(request.ResolveTenant(body.TenantId), body.Provider, body.AuthKind, body.DisplayName,
                body.Scopes, body.Credentials?.ToSupplied(), ConnectionRules.ParseSettings(body.Settings?.ToInput()), body.ReturnUrl, CallbackBase(request.Http),
                idempotencyKey));
            return NoStore(request.Http, Results.Created($"/api/v1/connections/{created.Connection.Id}", created));
        })
        .WithName("createConnection").WithSummary("Create a connection")
        .WithDescription("For an oauth2_code provider: the connection is pending and the answer's connect_url is where to send the user (valid once, for 30 minutes); " +
                         "the provider sends the browser back to /connect/callback/{provider}, which authorizes the connection and shows a page or goes to return_url. " +
                         "For api_key, basic and oauth2_client_credentials: the credentials are verified by the provider's health check before anything is stored " +
                         "(refused: 422, nothing stored), and the connection is connected. Honours Idempotency-Key.")
        .Produces<ConnectionWithConnectUrlDto>(StatusCodes.Status201Created)
        .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
        .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
        .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "unknown_provider", "unsupported_auth_kind", "provider_not_ready",
            "credentials_refused", "verification_failed", "invalid_url", "unsafe_url", "unresolvable_url")
        .WithRequestExample(new
        {
            provider = "http", auth_kind = "api_key", display_name = "Billing API", credentials = new { api_key = "sk_live_..." },
            settings = new { base_url = "https://billing.example.com/api", health_check_path = "/me", account_id_path = "data.account.id" },
        });

        connections.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListConnectionsQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<ConnectionDto>(ListConnectionsQuery.Spec, "tenant_id")
            .WithName("listConnections").WithSummary("List connections")
            .WithDescription("The tenant's connections (not the deleted ones), newest first by default; never a credential.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        connections.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetConnectionQuery(request.ResolveTenant(), id))))
            .WithName("getConnection").WithSummary("Retrieve a connection")
            .WithDescription("Its status, the account it belongs to at the provider, the scopes granted, its token's expiry and refresh facts, and its health; never a credential.")
            .Produces<ConnectionDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found");

        connections.MapPost("/{id:guid}/test", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new TestConnectionCommand(request.ResolveTenant(), id))))
            .WithName("testConnection").WithSummary("Test a connection now")
            .WithDescription("Runs the provider's health check now (refreshing the token first if due) and records it like a periodic one: result succeeded, failed or skipped (the connection cannot be used now, or its provider has no health check).")
            .Produces<ConnectionTestDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found");

        connections.MapPost("/{id:guid}/reconnect", async (Guid id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ReconnectConnectionRequest? body,
                [AsParameters] TenantRequest request) =>
            {
                var reconnected = await request.Send(new ReconnectConnectionCommand(request.ResolveTenant(), id, body?.Scopes, body?.Credentials?.ToSupplied(),
                    body?.ReturnUrl, CallbackBase(request.Http)));
                return NoStore(request.Http, Results.Ok(reconnected));
            })
            .WithName("reconnectConnection").WithSummary("Reconnect a connection")
            .WithDescription("A new authorization for the same connection: its id, routes and links stay. oauth2_code: a new connect_url (the user must authorize the same account; another is refused and the connection stays as it was). " +
                             "Other kinds: new credentials in the body, verified before they replace the old ones.")
            .Produces<ConnectionWithConnectUrlDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed", "provider_not_ready", "credentials_refused", "verification_failed", "account_mismatch")
            .WithRequestExample(new { return_url = "https://app.example.com/settings/integrations" });

        connections.MapDelete("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
            {
                await request.Send(new DeleteConnectionCommand(request.ResolveTenant(), id));
                return Results.NoContent();
            })
            .WithName("deleteConnection").WithSummary("Delete a connection")
            .WithDescription("Revokes its tokens at the provider where the provider has a revocation endpoint, erases its credentials and links, and stops its routes. Its audit log stays.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found");

        connections.MapGet("/{id:guid}/audit-log", async (Guid id, ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListConnectionAuditLogQuery(request.ResolveTenant(), id, list.Query)), request.Http))
            .WithListConventions<ConnectionAuditEntryDto>(ListConnectionAuditLogQuery.Spec, "tenant_id")
            .WithName("listConnectionAuditLog").WithSummary("List a connection's audit log")
            .WithDescription("Who created and authorized it (an API key, an OAuth app for a member, or the admin), the scopes granted, every refresh and failure, health changes, reconnects and the deletion; oldest first by default. Also for a deleted connection. Never a secret.")
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found");

        connections.MapGet("/{id:guid}/links", async (Guid id, ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListConnectionLinksQuery(request.ResolveTenant(), id, list.Query)), request.Http))
            .WithListConventions<ConnectionLinkDto>(ListConnectionLinksQuery.Spec, "tenant_id")
            .WithName("listConnectionLinks").WithSummary("List a connection's links")
            .WithDescription("Records of the product linked to records at the provider through this connection (two-way sync), newest first by default.")
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found");

        return app;
    }

    /// <summary>Where providers send the browser back: Connections:CallbackBaseUrl, else the OAuth issuer, else this request's own base URL.</summary>
    internal static string CallbackBase(HttpContext http)
    {
        var configured = http.RequestServices.GetRequiredService<ConnectionsOptions>().CallbackBaseUrl;
        return configured is { Length: > 0 } ? configured.TrimEnd('/') : OAuthOptions.IssuerFor(http.RequestServices.GetRequiredService<IOptions<OAuthOptions>>().Value, http.Request);
    }

    /// <summary>A connect_url is a one-time bearer of an authorization: no cache keeps it.</summary>
    private static IResult NoStore(HttpContext http, IResult result)
    {
        http.Response.Headers.CacheControl = "no-store";
        return result;
    }
}
