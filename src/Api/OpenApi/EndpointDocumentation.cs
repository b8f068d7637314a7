using Integrations.Api.Errors;
using Integrations.Api.Listing;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Api.OpenApi;

/// <summary>The machine codes an endpoint may answer with a given error status; the document lists them per response.</summary>
public sealed record ErrorCodesMetadata(int Status, IReadOnlyList<string> Codes);

/// <summary>An example for the request body (<see cref="Status"/> null) or for the response of a status.</summary>
public sealed record ExampleMetadata(int? Status, object Value);

/// <summary>Who may call the endpoint, shown in the document as <c>x-access</c> (admin, tenant or either).</summary>
public sealed record AccessMetadata(string Access);

public static class EndpointDocumentation
{
    /// <summary>Documents an error response in the error format with the codes this endpoint uses for it.</summary>
    public static TBuilder ProducesError<TBuilder>(this TBuilder builder, int status, params string[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ErrorCodesMetadata(status, codes), new ProducesResponseTypeMetadata(status, typeof(ApiErrorBody), ["application/json"]));

    public static RouteHandlerBuilder WithRequestExample(this RouteHandlerBuilder builder, object example) =>
        builder.WithMetadata(new ExampleMetadata(null, example));

    public static RouteHandlerBuilder WithResponseExample(this RouteHandlerBuilder builder, int status, object example) =>
        builder.WithMetadata(new ExampleMetadata(status, example));

    public static TBuilder WithAccess<TBuilder>(this TBuilder builder, string access) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessMetadata(access));

    /// <summary>
    /// Makes the endpoint a list under the conventions: a <see cref="ListRequest"/> handler parameter
    /// binds limit, cursor, sort, fields and the spec's filters; the document gets those parameters,
    /// the page schema and the 400/422 errors. <paramref name="otherQueryParameters"/> are the query
    /// parameters the handler binds itself (e.g. tenant_id), so they are not refused as unknown.
    /// </summary>
    public static RouteHandlerBuilder WithListConventions<TItem>(this RouteHandlerBuilder builder, ListSpec spec, params string[] otherQueryParameters) =>
        builder.WithMetadata(new ListEndpointMetadata(spec, typeof(TItem), otherQueryParameters))
            .Produces<CursorPage<TItem>>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status400BadRequest, "invalid_parameter")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");
}
