using System.Security.Cryptography;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.OAuth;
using Microsoft.Extensions.Options;

namespace Integrations.Api.OAuth;

/// <summary>
/// The member password check shared by the authorization server's sign-in and the console's
/// (ADR 0019): per-account lockout in PostgreSQL, a hash verified even for an unknown or locked
/// member so that timing tells nothing, and one answer (null) for every failure.
/// </summary>
public sealed class MemberSignIn(IOAuthStore store, IMemberPasswordHasher hasher, IClock clock, IOptionsMonitor<OAuthOptions> options)
{
    /// <summary>The active member whose organisation, e-mail and password these are, or null whatever went wrong.</summary>
    public async Task<MemberRow?> VerifyAsync(string organisation, string email, string password, CancellationToken ct)
    {
        MemberRow? member = null;
        if (Guid.TryParse(organisation, out var tenantId)) member = await store.FindActiveMemberByEmailAsync(tenantId, email, ct);
        var now = clock.UtcNow;
        var settings = options.CurrentValue;
        var lockoutOn = settings.SignInMaxFailures > 0;
        // Per-account lockout, in PostgreSQL so that it holds across API instances (the per-address
        // rate limit alone lets a botnet guess one account's password from many addresses).
        var locked = member is not null && lockoutOn && await store.SignInLockedUntilAsync(member.Id, now, ct) is not null;
        var passwordMatches = hasher.Verify(member?.PasswordHash ?? DummyHash.Value(hasher), password);
        if (member is null || locked || !passwordMatches)
        {
            if (member is not null && !locked && lockoutOn)
                await store.RecordFailedSignInAsync(member.Id, now,
                    new SignInLockoutPolicy(settings.SignInMaxFailures, settings.SignInFailureWindow, settings.SignInLockout), ct);
            return null;
        }
        if (lockoutOn) await store.ClearFailedSignInsAsync(member.Id, ct);
        return member;
    }

    /// <summary>The form fields of both sign-in pages (organisation, e-mail, password), values HTML-encoded.</summary>
    public static string FormFields(string organisation, string email) => $"""
        <label for="organisation">Organisation ID</label>
        <input type="text" id="organisation" name="organisation" required value="{OAuthHtml.E(organisation)}" autocomplete="organization">
        <label for="email">E-mail</label>
        <input type="email" id="email" name="email" required value="{OAuthHtml.E(email)}" autocomplete="username">
        <label for="password">Password</label>
        <input type="password" id="password" name="password" required autocomplete="current-password">
        """;

    private static class DummyHash
    {
        private static string? _value;

        public static string Value(IMemberPasswordHasher hasher) => _value ??= hasher.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
    }
}
