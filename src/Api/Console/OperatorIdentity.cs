using System.Security.Claims;
using Integrations.Api.Authentication;

namespace Integrations.Api.Console;

/// <summary>
/// The platform operator's session of the dashboard under /admin (ADR 0019, addendum): its own
/// cookie scheme and cookie (path /admin), opened with the admin key, holding no tenant, so that
/// no tenant page accepts it and no tenant session opens an operator page.
/// </summary>
public static class OperatorIdentity
{
    public const string Scheme = "Operator";
    public const string Policy = "operator";
    public const string Actor = "admin:console";

    public static ClaimsPrincipal Create() => new(new ClaimsIdentity([
        new Claim(ClaimTypes.Role, Principals.AdminRole),
        new Claim(ConsoleIdentity.LabelClaim, "Platform operator"),
    ], Scheme, ClaimTypes.Name, ClaimTypes.Role));

    public static bool IsOperator(this ClaimsPrincipal user) =>
        user.Identity?.AuthenticationType == Scheme && user.IsInRole(Principals.AdminRole);
}
