using System.Reflection;
using Integrations.Application.Common.Exceptions;
using Microsoft.AspNetCore.Antiforgery;

namespace Integrations.Api.Console;

/// <summary>
/// The customer console under /console (ADR 0019, docs/console.md): server-rendered pages that send
/// the same commands and queries as the REST API, for the tenant of the console session.
/// </summary>
public static class ConsoleEndpoints
{
    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("/console").ExcludeFromDescription()
            .RequireAuthorization(ConsoleIdentity.Policy)
            .AddEndpointFilter(Guard);
        console.MapGet("/", (HttpContext http) => ConsoleHtml.SeeOther(http, "/console/webhooks"));
        console.MapGet("/assets/{name}", Asset).AllowAnonymous();
        console.MapConsoleSignIn();
        console.MapWebhookEndpointPages();
        console.MapWebhookDeliveryPages();
        console.MapWebhookEditPages();
        console.MapConsoleAccountPages();
        console.MapConnectionPages();
        console.MapConnectionDetailPages();
        console.MapRoutePages();
        console.MapInstalledAppPages();
        console.MapMemberPages();
        console.MapDeveloperAppPages();
        var admin = app.MapGroup("/admin").ExcludeFromDescription()
            .RequireAuthorization(OperatorIdentity.Policy)
            .AddEndpointFilter(Guard);
        admin.MapOperatorSignIn();
        admin.MapOperatorHealthPages();
        admin.MapOperatorAppReviewPages();
        admin.MapOperatorDeadLetterPages();
        return app;
    }

    /// <summary>
    /// Around every console and operator endpoint: the security headers, the actor of what it does, the
    /// antiforgery check of every POST, and the API's errors as pages instead of JSON.
    /// </summary>
    private static async ValueTask<object?> Guard(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        ConsoleHtml.SecurityHeaders(http);
        if (http.User.Identity?.AuthenticationType == ConsoleIdentity.Scheme)
            http.RequestServices.GetRequiredService<Infrastructure.RequestContext>().Actor = http.User.ConsoleActor();
        else if (http.User.IsOperator())
            http.RequestServices.GetRequiredService<Infrastructure.RequestContext>().Actor = OperatorIdentity.Actor;
        if (HttpMethods.IsPost(http.Request.Method))
        {
            try
            {
                if (!http.Request.HasFormContentType) throw new AntiforgeryValidationException("Not a form.");
                await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                return ConsoleHtml.Error(http, 400, "Form refused",
                    "The form expired or did not come from this console (anti-forgery check failed). Go back, reload the page and try again.");
            }
        }
        try
        {
            if (HttpMethods.IsGet(http.Request.Method) && http.User.Identity?.AuthenticationType == ConsoleIdentity.Scheme && !http.Request.Path.StartsWithSegments("/console/assets"))
                await ConsoleAccountPages.LoadUnreadCountAsync(http, http.RequestServices.GetRequiredService<MediatR.IMediator>(), http.RequestAborted);
            return await next(context);
        }
        catch (NotFoundException)
        {
            // Another tenant's id lands here too: the same answer as an id that never existed.
            return ConsoleHtml.Error(http, 404, "Not found", "There is nothing here, or it belongs to another organisation.");
        }
        catch (ConflictException ex)
        {
            return ConsoleHtml.Error(http, 409, "Not possible now", ex.Message);
        }
        catch (ValidationException ex)
        {
            return ConsoleHtml.Error(http, 422, "Not accepted", string.Join(" ", ex.Errors.Select(e => e.Message)));
        }
        catch (InvalidParameterException ex)
        {
            return ConsoleHtml.Error(http, 400, "Not accepted", string.Join(" ", ex.Errors.Select(e => e.Message)));
        }
    }

    private static readonly Dictionary<string, string> AssetTypes = new(StringComparer.Ordinal)
    {
        ["console.css"] = "text/css; charset=utf-8",
        ["console.js"] = "text/javascript; charset=utf-8",
        ["favicon.svg"] = "image/svg+xml",
    };

    /// <summary>The stylesheet and the script, embedded in the assembly: served by us, never from a CDN.</summary>
    private static IResult Asset(string name, HttpContext http)
    {
        if (!AssetTypes.TryGetValue(name, out var type)) return ConsoleHtml.Error(http, 404, "Not found", "No such file.");
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"console/assets/{name}")!;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        http.Response.Headers.CacheControl = "public, max-age=300";
        return Results.Bytes(memory.ToArray(), type);
    }
}
