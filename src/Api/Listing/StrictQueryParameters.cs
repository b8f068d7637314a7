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
            var services = context.ApplicationServices.GetService<IServiceProviderIsService>();
            var known = parameters.SelectMany(Flatten)
                .Where(p => !p.Attributes.IsDefined(typeof(FromRouteAttribute), true) && !p.Attributes.IsDefined(typeof(FromHeaderAttribute), true)
                            && !p.Attributes.IsDefined(typeof(FromBodyAttribute), true) && !p.Attributes.IsDefined(typeof(FromServicesAttribute), true)
                            && !NeverFromTheQuery(p.Type, services))
                .Select(p => p.Attributes.GetCustomAttributes(typeof(FromQueryAttribute), true).OfType<FromQueryAttribute>().FirstOrDefault()?.Name ?? p.Name)
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

    private sealed record BoundParameter(string Name, Type Type, ICustomAttributeProvider Attributes);

    /// <summary>
    /// A handler parameter, or the members of an <c>[AsParameters]</c> one (e.g. TenantRequest):
    /// the parameters of its public constructor with the attributes of the matching properties, as
    /// the framework binds them, or its settable properties when it has no such constructor.
    /// </summary>
    private static IEnumerable<BoundParameter> Flatten(ParameterInfo parameter)
    {
        if (!parameter.IsDefined(typeof(AsParametersAttribute), true))
            return [new BoundParameter(parameter.Name!, parameter.ParameterType, parameter)];
        var type = parameter.ParameterType;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var constructor = type.GetConstructors().SingleOrDefault(c => c.GetParameters().Length > 0);
        if (constructor is null)
            return properties.Where(p => p.CanWrite).Select(p => new BoundParameter(p.Name, p.PropertyType, p));
        return constructor.GetParameters().Select(p =>
        {
            var property = properties.FirstOrDefault(q => string.Equals(q.Name, p.Name, StringComparison.OrdinalIgnoreCase));
            return new BoundParameter(p.Name!, p.ParameterType, new CombinedAttributes(p, property));
        });
    }

    /// <summary>The request, its cancellation and services: never bound from the query string.</summary>
    private static bool NeverFromTheQuery(Type type, IServiceProviderIsService? services) =>
        type == typeof(HttpContext) || type == typeof(HttpRequest) || type == typeof(HttpResponse) || type == typeof(CancellationToken)
        || type == typeof(System.Security.Claims.ClaimsPrincipal) || services?.IsService(type) == true;

    private sealed class CombinedAttributes(ParameterInfo parameter, PropertyInfo? property) : ICustomAttributeProvider
    {
        public object[] GetCustomAttributes(bool inherit) =>
            [.. parameter.GetCustomAttributes(inherit), .. property?.GetCustomAttributes(inherit) ?? []];

        public object[] GetCustomAttributes(Type attributeType, bool inherit) =>
            [.. parameter.GetCustomAttributes(attributeType, inherit), .. property?.GetCustomAttributes(attributeType, inherit) ?? []];

        public bool IsDefined(Type attributeType, bool inherit) =>
            parameter.IsDefined(attributeType, inherit) || property?.IsDefined(attributeType, inherit) == true;
    }
}
