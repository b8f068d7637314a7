using Integrations.Api.Listing;
using Integrations.Api.OAuth;
using Integrations.Api.OpenApi;
using Integrations.Application.Apps;
using Integrations.Application.Apps.Queries.GetMarketplaceApp;
using Integrations.Application.Apps.Queries.ListMarketplaceApps;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Listing;
using MediatR;

namespace Integrations.Api.Endpoints;

/// <summary>The public marketplace: its JSON list and detail, and the HTML index and detail pages for people.</summary>
public static class MarketplaceEndpoints
{
    public static IEndpointRouteBuilder MapMarketplaceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/marketplace/apps", async (ListRequest list, HttpContext http, IMediator mediator, CancellationToken ct) =>
                list.Page(await mediator.Send(new ListMarketplaceAppsQuery(list.Query), ct), http))
            .WithListConventions<MarketplaceAppDto>(ListMarketplaceAppsQuery.Spec)
            .AllowAnonymous().WithAccess("anonymous").WithTags("Apps")
            .WithName("listMarketplaceApps").WithSummary("List the public marketplace")
            .WithDescription("Approved public apps with the permissions they ask for, newest first (sort=name:asc for alphabetical). The HTML page of an app is /marketplace/apps/{client_id}.");

        app.MapGet("/api/v1/marketplace/apps/{clientId}", async (string clientId, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new GetMarketplaceAppQuery(clientId), ct)))
            .AllowAnonymous().WithAccess("anonymous").WithTags("Apps")
            .WithName("getMarketplaceApp").WithSummary("Retrieve a marketplace app")
            .WithDescription("The public detail of an approved app: description, screenshots and the permissions it asks for. The same as the HTML page /marketplace/apps/{client_id}.")
            .Produces<MarketplaceAppDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "app_not_found");

        // One address for people and programs: a client that asks for JSON (and not HTML) gets the JSON detail.
        app.MapGet("/marketplace/apps/{clientId}", async (string clientId, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (WantsJson(http.Request)) return Results.Ok(await mediator.Send(new GetMarketplaceAppQuery(clientId), ct));
                MarketplaceAppDto m;
                try
                {
                    m = await mediator.Send(new GetMarketplaceAppQuery(clientId), ct);
                }
                catch (NotFoundException)
                {
                    return OAuthHtml.Error("No such app in the marketplace.", 404);
                }
                return OAuthHtml.Page(m.Name, MarketplacePages.Detail(m));
            }).AllowAnonymous().ExcludeFromDescription();


        // The index for people: the same query as the JSON list (search, category, cursor), rendered.
        app.MapGet("/marketplace", async (string? q, string? category, string? cursor, IMediator mediator, CancellationToken ct) =>
            {
                var filters = new Dictionary<string, string>();
                if (!string.IsNullOrWhiteSpace(q)) filters["q"] = q;
                if (!string.IsNullOrEmpty(category)) filters["category"] = category;
                try
                {
                    var query = ListQueryParser.Parse(ListMarketplaceAppsQuery.Spec, new ListParameters(MarketplacePages.PageSize.ToString(), cursor, Filters: filters));
                    var page = await mediator.Send(new ListMarketplaceAppsQuery(query), ct);
                    return OAuthHtml.Page("Marketplace", MarketplacePages.Index(page, q?.Trim(), category));
                }
                catch (InvalidParameterException ex)
                {
                    return OAuthHtml.Page("Marketplace", MarketplacePages.Index(null, q?.Trim(), category, ex.Errors), 400);
                }
                catch (ValidationException ex)
                {
                    return OAuthHtml.Page("Marketplace", MarketplacePages.Index(null, q?.Trim(), category, ex.Errors), 400);
                }
            }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
               && !accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }
}
