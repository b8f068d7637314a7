using System.Security.Claims;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Listing;
using Integrations.Application.Members.Commands.InviteMember;
using Integrations.Application.Members.Commands.RemoveMember;
using Integrations.Application.Members.Queries.ListMembers;
using Integrations.Application.OAuth;
using MediatR;
using Integrations.Api.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// The organisation's members and pending invitations (GET /api/v1/members), inviting one
/// (POST /api/v1/members, the invitation link shown once) and removing one (DELETE /api/v1/members/{id}).
/// </summary>
public static class ConsoleMemberPages
{
    private sealed record InviteForm(string Email, string Role);

    public static RouteGroupBuilder MapMemberPages(this RouteGroupBuilder console)
    {
        console.MapGet("/members", (HttpContext http, IMediator mediator, CancellationToken ct) => List(http, mediator, null, null, new InviteForm("", "member"), ct));
        console.MapPost("/members", Invite);
        console.MapPost("/members/{id:guid}/remove", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveMemberCommand(http.User.Tenant(), id), ct);
            // Removing oneself ends one's own session too.
            if (http.User.FindFirstValue(ConsoleIdentity.MemberIdClaim) == id.ToString())
            {
                await http.SignOutAsync(ConsoleIdentity.Scheme);
                return SeeOther(http, "/console/sign-in");
            }
            return SeeOther(http, "/console/members");
        });
        return console;
    }

    /// <summary>Cookie validation of the console scheme: a member session whose member is no longer active is refused.</summary>
    public static async Task RejectRemovedMemberAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        if (user?.FindFirstValue(ConsoleIdentity.MemberIdClaim) is not { } raw || !Guid.TryParse(raw, out var memberId) || user.TenantId() is not { } tenantId) return;
        var member = await context.HttpContext.RequestServices.GetRequiredService<IOAuthStore>().FindMemberAsync(tenantId, memberId, context.HttpContext.RequestAborted);
        if (member?.Status == Domain.Members.MemberStatuses.Active) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(ConsoleIdentity.Scheme);
    }

    private static async Task<IResult> Invite(HttpContext http, IMediator mediator, IOptionsMonitor<ConsoleOptions> options, CancellationToken ct)
    {
        // An embed link lives minutes; an account it could open would outlive it (ADR 0019).
        if (http.User.IsEmbedded())
            return Error(http, 403, "Not available here", "Members are invited by a member who signed in, not in an embedded console.");
        var form = await http.Request.ReadFormAsync(ct);
        var values = new InviteForm(form["email"].ToString().Trim(), form["role"].ToString());
        try
        {
            var invitation = await mediator.Send(new InviteMemberCommand(http.User.Tenant(), values.Email, values.Role), ct);
            var configured = options.CurrentValue.PublicBaseUrl;
            var baseUrl = configured is { Length: > 0 } ? configured.TrimEnd('/') : $"{http.Request.Scheme}://{http.Request.Host}";
            var link = $"{baseUrl}/oauth/invitations/accept?token={Uri.EscapeDataString(invitation.InvitationToken)}";
            return await List(http, mediator, null, (invitation, link), new InviteForm("", "member"), ct);
        }
        catch (Exception ex) when (ex is ValidationException or ConflictException)
        {
            var message = ex is ValidationException v ? string.Join(" ", v.Errors.Select(e => e.Message)) : ex.Message;
            return await List(http, mediator, message, null, values, ct);
        }
    }

    private static async Task<IResult> List(HttpContext http, IMediator mediator, string? error, (InvitationDto Invitation, string Link)? invited,
        InviteForm values, CancellationToken ct)
    {
        var active = await Section(http, mediator, "active", "members", "Members", "No members yet.", ct);
        var pending = await Section(http, mediator, "invited", "invitations", "Pending invitations", "No pending invitations.", ct);
        var shown = invited is not { } i ? "" : $"""
            <section class="notice" id="invitation" role="status"><h2>Invitation for {E(i.Invitation.Member.Email)}</h2>
            <p>Send this link to the invitee; it is shown only this once and works until {Time(i.Invitation.ExpiresAt)}.</p>
            <p><code id="invitation-link">{E(i.Link)}</code></p></section>
            """;
        var invite = http.User.IsEmbedded() ? "" : $"""
            <section aria-labelledby="invite-title"><h2 id="invite-title">Invite a member</h2>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            <form method="post" action="/console/members" id="invite-form" class="stack">{Antiforgery(http)}
              <label for="invite-email">E-mail</label><input type="email" id="invite-email" name="email" required value="{E(values.Email)}">
              <label for="invite-role">Role</label>
              <select id="invite-role" name="role">{string.Join("", MemberRules.Roles.Select(r => $"<option value=\"{E(r)}\"{(r == values.Role ? " selected" : "")}>{E(r)}</option>"))}</select>
              <button type="submit" id="invite">Invite member</button>
            </form></section>
            """;
        return Page(http, "Members", $"""
            <h1>Members</h1>
            <p class="muted">The people who sign in to this console and authorize OAuth apps for the organisation.</p>
            {shown}{active}{pending}{invite}
            """, error is null ? 200 : 422);
    }

    /// <summary>One status of the member list, keyset-paginated with a cursor parameter of its own.</summary>
    private static async Task<string> Section(HttpContext http, IMediator mediator, string status, string id, string title, string empty, CancellationToken ct)
    {
        var cursorParam = $"{id}_cursor";
        var query = ListQueryParser.Parse(ListMembersQuery.Spec,
            new ListParameters("50", ConsoleWebhookPages.Param(http, cursorParam), null, new Dictionary<string, string> { ["status"] = status }));
        var page = await mediator.Send(new ListMembersQuery(http.User.Tenant(), query), ct);
        var rows = string.Join("\n", page.Data.Select(m => $"""
            <tr><td>{E(m.Email)}</td><td>{E(m.Role)}</td><td>{Badge(m.Status)}</td><td>{Time(m.InvitedAt)}</td><td>{Time(m.JoinedAt)}</td>
            <td>{PostButton(http, $"/console/members/{m.Id}/remove", m.Status == Domain.Members.MemberStatuses.Invited ? $"Cancel invitation of {m.Email}" : $"Remove {m.Email}",
                $"remove-{m.Id}", $"Remove {m.Email}? Their sign-in and the OAuth grants they gave stop now.", "danger")}</td></tr>
            """));
        var more = page.HasMore ? $"""<p><a id="{id}-next" href="/console/members?{cursorParam}={Uri.EscapeDataString(page.NextCursor!)}">More {E(title.ToLowerInvariant())}</a></p>""" : "";
        return $"""
            <section aria-labelledby="{id}-title"><h2 id="{id}-title">{E(title)}</h2>
            {(page.Data.Count == 0 ? $"<p id=\"{id}-empty\">{E(empty)}</p>" : $"""
            <table id="{id}"><caption class="sr-only">{E(title)}</caption>
            <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Invited</th><th scope="col">Joined</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{rows}</tbody></table>
            """)}{more}</section>
            """;
    }
}
