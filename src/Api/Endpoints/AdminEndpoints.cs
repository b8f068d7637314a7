using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.Connections.Commands.RotateCredentialKeys;
using Integrations.Application.Connections.Queries.GetCredentialKeys;
using Integrations.Application.IntegrationHealth.Queries.GetIntegrationHealth;
using Integrations.Application.Projections.Commands.RebuildProjection;
using Integrations.Application.Projections.Queries.ListProjections;
using MediatR;

namespace Integrations.Api.Endpoints;

/// <summary>
/// Platform operations for the admin key under /api/v1/admin (the review of apps and the rotation
/// of the OAuth signing key sit with the apps, in <see cref="AppEndpoints"/>).
/// </summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(AuthenticationExtensions.AdminPolicy).WithAccess("admin");
        admin.MapPost("/projections/{name}/rebuild", async (string name, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new RebuildProjectionCommand(name), ct)))
            .WithName("rebuildProjection").WithSummary("Rebuild a read model")
            .WithDescription("Empties a projection's tables and replays the whole event log into them with Marten's daemon. Readers see the table fill up; " +
                "writes that the projection applies wait until it is done. Answers with the number of events of the types the projection applies.")
            .Produces<ProjectionRebuiltDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");
        admin.MapGet("/projections", async (IMediator mediator, CancellationToken ct) => Results.Ok(await mediator.Send(new ListProjectionsQuery(), ct)))
            .WithName("listProjections").WithSummary("List read models and their lag")
            .WithDescription("Every projection (read model) with its lifecycle, the global sequence of the last event it applied, the event log's high-water mark " +
                "and the lag between them. Inline projections are applied in the transaction that appends the events and are never behind; async ones are " +
                "kept by Marten's daemon in the Workers host's projections pipeline.")
            .Produces<ProjectionsDto>(StatusCodes.Status200OK);
        admin.MapPost("/credential-keys/rotate", async (IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new RotateCredentialKeysCommand(), ct)))
            .WithName("rotateCredentialKeys").WithSummary("Re-wrap connection credentials under the current key")
            .WithDescription("Re-wraps the data key of every stored connection credential that is not under the current key-encryption key, in batches " +
                "that each commit on their own; credentials stay readable and writable throughout, and a credential a writer replaces meanwhile keeps the " +
                "writer's version. Answers with the counts; `remaining` 0 means no credential needs a previous key any more (docs/connections.md). Safe to repeat.")
            .Produces<CredentialKeysRotatedDto>(StatusCodes.Status200OK);
        admin.MapGet("/credential-keys", async (IMediator mediator, CancellationToken ct) => Results.Ok(await mediator.Send(new GetCredentialKeysQuery(), ct)))
            .WithName("listCredentialKeys").WithSummary("List the keys connection credentials are under")
            .WithDescription("The current key-encryption key and, for every key id that still holds credentials, how many. Key ids are public names " +
                "(a prefix of the key's SHA-256), never key material.")
            .Produces<CredentialKeysDto>(StatusCodes.Status200OK);
        admin.MapGet("/integration-health", async (IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new GetIntegrationHealthQuery(), ct)))
            .WithName("getIntegrationHealth").WithSummary("How every provider, connection and webhook endpoint is doing")
            .WithDescription("Across tenants, worst first: per provider and per connection the status, the circuit breaker (closed, open, half_open), " +
                "calls and error rate over the last hour, the last success, the calls waiting (queue depth), dead letters and token refresh failures in a " +
                "row; every webhook endpoint's health as its tenant sees it; and the requests the providers' inbound URLs refused, counted per provider and " +
                "reason (docs/inbound.md). Nothing of a credential or a request body (docs/connections.md#operator-view).")
            .Produces<IntegrationHealthDto>(StatusCodes.Status200OK);
        return app;
    }
}
