using System.Text.RegularExpressions;
using Integrations.Domain.Common;

namespace Integrations.Domain.Email;

// A tenant's inbound e-mail address, <token>@<inbound domain> (ADR 0032): mail the customer forwards
// there becomes product commands. The token is the only thing that names the tenant, so it is drawn at
// random and unguessable; a revoked address refuses mail for good (its token is never handed out again).

public interface IEmailAddressEvent
{
    Guid TenantId { get; }
    Guid AddressId { get; }
}

/// <param name="EntityType">What a new thread becomes: the product command entity.create with this target.type (ticket, lead, task …).</param>
/// <param name="RepliesAsComments">Whether a reply in a thread becomes comment.add on the thread's entity.</param>
public sealed record EmailAddressCreated(Guid TenantId, Guid AddressId, string Token, string EntityType, bool RepliesAsComments, DateTimeOffset CreatedAt)
    : IEmailAddressEvent;

public sealed record EmailAddressRevoked(Guid TenantId, Guid AddressId, DateTimeOffset RevokedAt) : IEmailAddressEvent;

public abstract record EmailAddressAction;

public sealed record CreateEmailAddress(Guid TenantId, Guid AddressId, string Token, string EntityType, bool RepliesAsComments, DateTimeOffset Now)
    : EmailAddressAction;

public sealed record RevokeEmailAddress(DateTimeOffset Now) : EmailAddressAction;

public sealed record EmailAddressState(Guid TenantId, Guid AddressId, bool Exists, bool Revoked)
{
    public static readonly EmailAddressState None = new(Guid.Empty, Guid.Empty, false, false);
}

/// <summary>What an address's settings and token may be.</summary>
public static partial class EmailAddressRules
{
    public const int MaxEntityTypeLength = 100;

    /// <summary>The entity type must be a plain name: it ends up as the product command's target.type.</summary>
    public static string? EntityTypeProblem(string? entityType) =>
        entityType is null || entityType.Length > MaxEntityTypeLength || !EntityType().IsMatch(entityType)
            ? $"entity_type must be a lower-case name (letters, digits, _ and -, starting with a letter; at most {MaxEntityTypeLength} characters), e.g. ticket."
            : null;

    /// <summary>128 random bits as lower-case hex: local parts are matched without regard to case by many mail systems.</summary>
    public static bool IsToken(string? token) => token is not null && AddressToken().IsMatch(token);

    [GeneratedRegex("^[a-z][a-z0-9_-]*$")]
    private static partial Regex EntityType();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex AddressToken();
}

public static class EmailAddressDecider
{
    public static readonly Decider<EmailAddressAction, EmailAddressState, IEmailAddressEvent> Decider = new(Decide, Evolve, EmailAddressState.None);

    public static string StreamId(Guid addressId) => $"email_address-{addressId:N}";

    public static DomainException NotFound() => new("email_address_not_found", "There is no such e-mail address.");

    public static IReadOnlyList<IEmailAddressEvent> Decide(EmailAddressAction action, EmailAddressState state) => action switch
    {
        CreateEmailAddress when state.Exists => throw new DomainException("email_address_exists", "The e-mail address exists already."),
        CreateEmailAddress c when EmailAddressRules.EntityTypeProblem(c.EntityType) is { } problem => throw new DomainException("invalid_value", problem),
        CreateEmailAddress c when !EmailAddressRules.IsToken(c.Token) => throw new DomainException("invalid_value", "The token must be 32 lower-case hex digits."),
        CreateEmailAddress c => [new EmailAddressCreated(c.TenantId, c.AddressId, c.Token, c.EntityType, c.RepliesAsComments, c.Now)],
        RevokeEmailAddress when !state.Exists => throw NotFound(),
        // Revoking twice is what the caller wanted: nothing more happens.
        RevokeEmailAddress when state.Revoked => [],
        RevokeEmailAddress r => [new EmailAddressRevoked(state.TenantId, state.AddressId, r.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "Unknown e-mail address action."),
    };

    public static EmailAddressState Evolve(EmailAddressState state, IEmailAddressEvent @event) => @event switch
    {
        EmailAddressCreated e => new EmailAddressState(e.TenantId, e.AddressId, true, false),
        EmailAddressRevoked => state with { Revoked = true },
        _ => state,
    };
}
