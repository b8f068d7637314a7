using Integrations.Domain.Connections;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connections;

/// <summary>Connections of a catalog provider that name their own site for one auth kind (Jira with an API token).</summary>
public class SiteEndpointsTests
{
    private static readonly ProviderDefinition Jira = new("jira", "Jira Cloud", [AuthKinds.OAuth2Code, AuthKinds.Basic], new Uri("https://api.atlassian.com"), null,
        new HealthCheckCall("GET", "/oauth/token/accessible-resources", "data[0].id", "data[0].name"), CallLimits.Default, ["jira.issue"])
    {
        AccountApiPath = "/ex/jira/{account}/rest/api/3",
        SiteEndpoints = new SiteEndpoints(AuthKinds.Basic, "/rest/api/3", ["*.atlassian.net", "http://127.0.0.1:5080"], new HealthCheckCall("GET", "/myself", "", null)),
    };

    private static readonly ConnectionSettings Acme = new(new Uri("https://acme.atlassian.net"));

    [Fact]
    public void A_site_connection_calls_below_its_sites_api_with_the_sites_health_check_and_an_oauth_one_below_the_gateway()
    {
        ConnectionEndpoints.BaseUrl(Jira, Acme, "acme.atlassian.net").ShouldBe(new Uri("https://acme.atlassian.net/rest/api/3"));
        ConnectionEndpoints.HealthCheck(Jira, Acme)!.Path.ShouldBe("/myself");
        ConnectionEndpoints.TenantNamed(Acme).ShouldBeTrue();

        ConnectionEndpoints.BaseUrl(Jira, null, "8a7f6d2e").ShouldBe(new Uri("https://api.atlassian.com/ex/jira/8a7f6d2e/rest/api/3"));
        ConnectionEndpoints.HealthCheck(Jira, null)!.Path.ShouldBe("/oauth/token/accessible-resources");
        ConnectionEndpoints.TenantNamed(null).ShouldBeFalse();
    }

    [Fact]
    public void The_sites_host_is_the_account_of_a_health_check_without_an_account_path()
    {
        var call = ConnectionEndpoints.HealthCheck(Jira, Acme)!;
        ConnectionEndpoints.ReadAccount(call, ConnectionEndpoints.BaseUrl(Jira, Acme)!, default)!.Id.ShouldBe("acme.atlassian.net");
    }

    [Theory]
    [InlineData("https://acme.atlassian.net", null)]
    [InlineData("https://ACME.Atlassian.NET/", null)]
    [InlineData("http://127.0.0.1:5080", null)]
    [InlineData("https://atlassian.net", "host_not_allowed")]
    [InlineData("https://acme.atlassian.net.evil.example", "host_not_allowed")]
    [InlineData("https://evilatlassian.net", "host_not_allowed")]
    [InlineData("http://acme.atlassian.net", "invalid_url")]
    [InlineData("http://127.0.0.1:5081", "invalid_url")]
    [InlineData("https://acme.atlassian.net/jira", "invalid_site")]
    [InlineData("https://acme.atlassian.net/?x=1", "invalid_site")]
    [InlineData("https://me:pw@acme.atlassian.net", "invalid_site")]
    public void A_site_is_the_https_root_of_an_allowed_host(string site, string? code)
    {
        var problems = ConnectionEndpoints.Check(Jira, AuthKinds.Basic, new ConnectionSettings(new Uri(site)));
        if (code is null) problems.ShouldBeEmpty();
        else problems.ShouldHaveSingleItem().ShouldBe(new SettingsProblem("settings.site", code, problems[0].Message));
    }

    [Fact]
    public void The_site_is_required_alone_for_its_auth_kind_and_refused_for_the_others()
    {
        ConnectionEndpoints.Check(Jira, AuthKinds.Basic, null).ShouldHaveSingleItem().Code.ShouldBe("required");
        ConnectionEndpoints.Check(Jira, AuthKinds.Basic, Acme with { HealthCheckPath = "/serverInfo" }).ShouldHaveSingleItem()
            .ShouldBe(new SettingsProblem("settings", "not_applicable", "A basic connection to jira takes only settings.site."));
        ConnectionEndpoints.Check(Jira, AuthKinds.OAuth2Code, Acme).ShouldHaveSingleItem().Code.ShouldBe("settings_not_supported");
        ConnectionEndpoints.Check(Jira, AuthKinds.OAuth2Code, null).ShouldBeEmpty();
    }
}
