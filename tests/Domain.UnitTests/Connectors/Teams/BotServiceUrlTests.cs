using Integrations.Domain.Connections;
using Integrations.Domain.Connectors.Teams;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Teams;

public class BotServiceUrlTests
{
    private static readonly ProviderDefinition Bot = new("microsoft-teams", "Microsoft Teams (bot)", [AuthKinds.OAuth2ClientCredentials],
        new Uri("https://smba.trafficmanager.net/teams"), null, null, CallLimits.Default, ["teams.bot_card"])
    {
        ServiceUrlHosts = new EndpointKey(BotServiceUrl.MicrosoftHosts),
    };

    [Theory]
    [InlineData("https://smba.trafficmanager.net/emea/")]
    [InlineData("https://smba.trafficmanager.net/amer")]
    [InlineData("https://smba.infra.gcc.teams.microsoft.com/teams")]
    [InlineData("https://smba.infra.gov.teams.microsoft.us/teams")]
    [InlineData("https://smba.infra.dod.teams.microsoft.us/teams")]
    public void Microsofts_regional_bot_connectors_are_allowed(string serviceUrl) =>
        BotServiceUrl.Allowed(serviceUrl, Bot).ShouldBe(new Uri(serviceUrl));

    [Theory]
    [InlineData("https://attacker.example.com/emea/")]
    [InlineData("https://smba.trafficmanager.net.attacker.example/emea/")]
    [InlineData("http://smba.trafficmanager.net/emea/")]
    [InlineData("https://smba.trafficmanager.net:8443/emea/")]
    [InlineData("https://user:pass@smba.trafficmanager.net/emea/")]
    [InlineData("https://smba.trafficmanager.net/emea/?x=1")]
    [InlineData("https://127.0.0.1/emea/")]
    [InlineData("https://169.254.169.254/latest/")]
    [InlineData("not a url")]
    [InlineData(null)]
    public void Anything_else_never_gets_the_bots_token(string? serviceUrl) => BotServiceUrl.Allowed(serviceUrl, Bot).ShouldBeNull();

    [Fact]
    public void The_operators_configured_origin_is_allowed_with_any_path()
    {
        var local = Bot with { ApiBaseUrl = new Uri("http://127.0.0.1:5090/") };
        BotServiceUrl.Allowed("http://127.0.0.1:5090/emea/", local).ShouldBe(new Uri("http://127.0.0.1:5090/emea/"));
        BotServiceUrl.Allowed("http://127.0.0.1:5091/emea/", local).ShouldBeNull();
    }

    [Fact]
    public void A_provider_without_service_url_hosts_allows_only_its_own_origin() =>
        BotServiceUrl.Allowed("https://smba.trafficmanager.net/emea/", Bot with { ServiceUrlHosts = null, ApiBaseUrl = new Uri("https://example.com/") }).ShouldBeNull();
}
