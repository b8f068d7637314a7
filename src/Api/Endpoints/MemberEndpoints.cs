using System.ComponentModel;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Members.Commands.AcceptInvitation;
using Integrations.Application.Members.Commands.InviteMember;
using Integrations.Application.Members.Commands.RemoveMember;
using Integrations.Application.Members.Commands.UnlockMember;
using Integrations.Application.Members.Queries.ListMembers;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Api.Endpoints;

public sealed record InviteMemberRequest(
    [property: Description("The invitee's e-mail address (it never appears in events).")] string? Email,
    [property: Description("admin or member.")] string? Role = "member");

public sealed record AcceptInvitationRequest(
    [property: Description("The invitation token returned once by the invite call.")] string? InvitationToken,
    [property: Description("The new member's password, at least 12 characters.")] string? Password);

public static class MemberEndpoints
{
    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/api/v1/members").WithTags("Members");
        var example = new MemberDto(Guid.Parse("0193a5f2-0000-7000-8000-000000000001"), TenantEndpoints.ExampleTenantId, "ada@example.com", "member", "invited",
            new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), null);

        members.MapPost("/", async (InviteMemberRequest body, [AsParameters] TenantRequest request) =>
            {
                var invitation = await request.Send(new InviteMemberCommand(request.ResolveTenant(), body.Email ?? "", body.Role ?? "member"));
                request.Http.Response.Headers.CacheControl = "no-store";
                return Results.Created($"/api/v1/members/{invitation.Member.Id}", invitation);
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("inviteMember").WithSummary("Invite a member")
            .WithDescription("Creates an invitation (valid 7 days) and emits user.invited. The response is the only time the invitation token is shown; the platform keeps its hash. The invitee accepts with POST /api/v1/members/accept. OAuth scope: members:write.")
            .Produces<InvitationDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status403Forbidden, "forbidden", "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "member_exists")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithRequestExample(new { email = "ada@example.com", role = "member" })
            .WithResponseExample(StatusCodes.Status201Created, new InvitationDto(example, "inv_3q2-7wJm0s8aZr1yQ9pXH4kV6bN0cD5eF7gH8iJ9kL0", example.InvitedAt.AddDays(7)));

        members.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListMembersQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<MemberDto>(ListMembersQuery.Spec, "tenant_id")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("listMembers").WithSummary("List members")
            .WithDescription("Invited and active members of the organisation, most recently invited first. OAuth scope: members:read.")
            .ProducesError(StatusCodes.Status403Forbidden, "forbidden", "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        members.MapDelete("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
            {
                await request.Send(new RemoveMemberCommand(request.ResolveTenant(), id));
                return Results.NoContent();
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("removeMember").WithSummary("Remove a member")
            .WithDescription("Removes the member, revokes every OAuth grant they gave and emits user.removed. OAuth scope: members:write.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status403Forbidden, "forbidden", "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "member_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        members.MapPost("/{id:guid}/unlock", async (Guid id, [AsParameters] TenantRequest request) =>
            {
                await request.Send(new UnlockMemberCommand(request.ResolveTenant(), id));
                return Results.NoContent();
            })
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin")
            .WithName("unlockMember").WithSummary("Unlock a member's sign-in")
            .WithDescription("Ends the member's sign-in lockout (too many wrong passwords) and forgets their failed attempts, so the right password works at once. " +
                             "A member who is not locked is left as is. OAuth scope: members:write.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status403Forbidden, "forbidden", "insufficient_scope")
            .ProducesError(StatusCodes.Status404NotFound, "member_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed");

        members.MapPost("/accept", async (AcceptInvitationRequest body, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new AcceptInvitationCommand(body.InvitationToken ?? "", body.Password ?? ""), ct)))
            .AllowAnonymous().WithAccess("anonymous")
            .WithName("acceptInvitation").WithSummary("Accept an invitation")
            .WithDescription("The invitee sets a password (at least 12 characters; stored with the framework's PasswordHasher) and becomes an active member; emits user.joined. The token works once.")
            .Produces<MemberDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "invitation_not_found")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "validation_failed")
            .WithRequestExample(new { invitation_token = "inv_3q2-7wJm0s8aZr1yQ9pXH4kV6bN0cD5eF7gH8iJ9kL0", password = "correct horse battery staple" })
            .WithResponseExample(StatusCodes.Status200OK, example with { Status = "active", JoinedAt = example.InvitedAt.AddHours(2) });
        return app;
    }
}
