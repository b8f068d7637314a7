using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>
/// Two API instances against one database: antiforgery tokens and the sign-in cookie that one issues
/// are accepted by the other, because the Data Protection key ring lives in PostgreSQL, encrypted.
/// </summary>
public sealed class DataProtectionKeyRingTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private readonly OAuthHarness _oauth = new(system);

    [Fact]
    public async Task Forms_and_the_session_cookie_of_one_instance_are_accepted_by_another()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var (second, secondAddress) = await system.StartApiInstanceAsync();
        try
        {
            // One browser; cookies are per host, not per port, so both instances see them (as behind a load balancer).
            using var browser = _oauth.Browser();
            var page = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, OAuthHarness.Challenge(OAuthHarness.Verifier())));
            var (token, request) = OAuthHarness.FormFields(await page.Content.ReadAsStringAsync());

            // Instance 1's antiforgery token, validated by instance 2; instance 2 issues the session cookie.
            var signIn = await browser.PostAsync(new Uri(secondAddress, "/oauth/authorize/sign-in"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["request"] = request,
                ["organisation"] = member.TenantId.ToString(), ["email"] = member.Email, ["password"] = member.Password,
            }));
            signIn.StatusCode.ShouldBe(HttpStatusCode.SeeOther, await signIn.Content.ReadAsStringAsync());

            // Instance 1 reads instance 2's session cookie: the consent page, not the sign-in page.
            var consent = await browser.GetAsync(signIn.Headers.Location!.ToString());
            var consentHtml = await consent.Content.ReadAsStringAsync();
            consent.StatusCode.ShouldBe(HttpStatusCode.OK, consentHtml);
            consentHtml.ShouldContain("id=\"consent\"");

            // Instance 2 takes the consent form instance 1 rendered, and issues the code.
            var (consentToken, consentRequest) = OAuthHarness.FormFields(consentHtml);
            var allowed = await browser.PostAsync(new Uri(secondAddress, "/oauth/authorize/consent"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = consentToken, ["request"] = consentRequest, ["decision"] = "allow",
            }));
            allowed.StatusCode.ShouldBe(HttpStatusCode.SeeOther, await allowed.Content.ReadAsStringAsync());
            QueryHelpers.ParseQuery(allowed.Headers.Location!.Query)["code"].ToString().ShouldStartWith("ac_");

            // Both instances protect with one key ring: a payload of one opens on the other.
            var protectedByFirst = system.Api.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");
            second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByFirst).ShouldBe("hello");
        }
        finally
        {
            await second.StopAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_instance_with_a_key_ring_of_its_own_refuses_the_forms_of_the_others()
    {
        // The control: the same exchange with an instance that does not use the shared ring fails,
        // so the test above proves the sharing rather than something that always works.
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var (isolated, isolatedAddress) = await system.StartApiInstanceAsync(b => b.Services.AddDataProtection().UseEphemeralDataProtectionProvider());
        try
        {
            using var browser = _oauth.Browser();
            var page = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, OAuthHarness.Challenge(OAuthHarness.Verifier())));
            var (token, request) = OAuthHarness.FormFields(await page.Content.ReadAsStringAsync());
            var signIn = await browser.PostAsync(new Uri(isolatedAddress, "/oauth/authorize/sign-in"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["request"] = request,
                ["organisation"] = member.TenantId.ToString(), ["email"] = member.Email, ["password"] = member.Password,
            }));
            signIn.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            signIn.Headers.Location.ShouldBeNull();
        }
        finally
        {
            await isolated.StopAsync();
            await isolated.DisposeAsync();
        }
    }

    [Fact]
    public async Task Keys_are_stored_encrypted_with_the_platform_secret_key()
    {
        // Any protection creates the key ring if it does not exist yet.
        system.Api.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");
        (await system.ScalarAsync<long>("select count(*) from data_protection_keys")).ShouldBeGreaterThan(0);
        (await system.ScalarAsync<long>("select count(*) from data_protection_keys where xml like '%<masterKey%' or xml not like '%SecretProtectorXmlDecryptor%'"))
            .ShouldBe(0, "no key's secret is stored in the clear");
    }
}
