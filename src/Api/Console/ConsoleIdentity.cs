using System.Security.Claims;
using Integrations.Api.Authentication;

namespace Integrations.Api.Console;

/// <summary>
/// Who a console session is: the tenant, and either the member who signed in or the embed link
/// that was opened (ADR 0019). Read only from the console's own cookie scheme.
/// </summary>
public static class ConsoleIdentity
{
    public const string Scheme = "Console";
    public const string Policy = "console";
    public const string MemberIdClaim = "console_member_id";
    public const string SessionIdClaim = "console_session_id";
    public const string LabelClaim = "console_label";

    public static ClaimsPrincipal ForMember(Guid tenantId, Guid memberId, string email) => new(new ClaimsIdentity([
        new Claim(Principals.TenantIdClaim, tenantId.ToString()),
        new Claim(MemberIdClaim, memberId.ToString()),
        new Claim(LabelClaim, email),
    ], Scheme));

    public static ClaimsPrincipal ForEmbed(Guid tenantId, Guid sessionId) => new(new ClaimsIdentity([
        new Claim(Principals.TenantIdClaim, tenantId.ToString()),
        new Claim(SessionIdClaim, sessionId.ToString()),
        new Claim(LabelClaim, "Embedded session"),
    ], Scheme));

    /// <summary>The tenant of the session; the console never takes it from a URL or a form.</summary>
    public static Guid Tenant(this ClaimsPrincipal user) =>
        user.TenantId() ?? throw new InvalidOperationException("A console page ran without a console session.");

    public static bool IsEmbedded(this ClaimsPrincipal user) => user.FindFirstValue(SessionIdClaim) is not null;

    public static string Label(this ClaimsPrincipal user) => user.FindFirstValue(LabelClaim) ?? "";

    /// <summary>Names the session in event metadata and logs, like the API's actors.</summary>
    public static string ConsoleActor(this ClaimsPrincipal user) =>
        user.FindFirstValue(MemberIdClaim) is { } member ? $"member:{member}" : $"console_session:{user.FindFirstValue(SessionIdClaim)}";
}
