using System.Reflection;
using Integrations.Application.Common.Exceptions;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Listing;

/// <summary>
/// Refuses query parameters an endpoint does not bind (400 invalid_parameter naming them), like the
/// list conventions do for lists: a misspelt parameter must never be silently ignored.
/// </summary>
public static class StrictQueryParameters
{
    public static TBuilder RejectUnknownQueryParameters<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) =>
        {
            // A list's ListRequest checks its parameters itself, against the spec.
            var parameters = context.MethodInfo.GetParameters();
            if (parameters.Any(p => p.ParameterType == typeof(ListRequest))) return next;
            var known = parameters
                .Where(p => p.GetCustomAttribute<FromRouteAttribute>() is null && p.GetCustomAttribute<FromHeaderAttribute>() is null && p.GetCustomAttribute<FromBodyAttribute>() is null)
                .Select(p => p.GetCustomAttribute<FromQueryAttribute>()?.Name ?? p.Name)
                .ToHashSet(StringComparer.Ordinal);
            return invocation =>
            {
                var unknown = invocation.HttpContext.Request.Query.Keys.Where(k => !known.Contains(k)).ToList();
                return unknown.Count == 0
                    ? next(invocation)
                    : throw new InvalidParameterException(unknown.Select(name =>
                        new ValidationError(name, "unknown_parameter", $"This endpoint has no query parameter '{name}'.")).ToList());
            };
        });
}
