using Microsoft.OpenApi;

namespace Integrations.Api.OpenApi;

public static class OpenApiExtensions
{
    public const string DocumentName = "v1";

    /// <summary>The OpenAPI 3.1 document of the API, generated from the route definitions and their metadata.</summary>
    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            // The document describes the public API only: not health probes, not the docs pages.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer<ApiDocumentTransformer>();
            options.AddOperationTransformer<ApiOperationTransformer>();
            options.AddSchemaTransformer(RequiredRequestFieldsAreNotNullable);
        });

    /// <summary>
    /// Request fields are nullable in C# so that a missing one is a 422 naming it rather than a
    /// deserialization error; the document says what a client must send: a required field is never null.
    /// </summary>
    private static Task RequiredRequestFieldsAreNotNullable(OpenApiSchema schema, Microsoft.AspNetCore.OpenApi.OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        if (type.Namespace != typeof(OpenApiExtensions).Namespace!.Replace(".OpenApi", ".Endpoints", StringComparison.Ordinal)
            || !type.Name.Contains("Request", StringComparison.Ordinal) || schema.Required is null || schema.Properties is null) return Task.CompletedTask;
        foreach (var name in schema.Required)
            if (schema.Properties.TryGetValue(name, out var property) && property is OpenApiSchema { Type: { } t } concrete)
                concrete.Type = t & ~JsonSchemaType.Null;
        return Task.CompletedTask;
    }

    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }
}
