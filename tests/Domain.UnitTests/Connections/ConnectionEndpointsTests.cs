using System.Text.Json;
using Integrations.Domain.Connections;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connections;

public class ConnectionEndpointsTests
{
    private static readonly ProviderDefinition Http = new("http", "HTTP", [AuthKinds.ApiKey, AuthKinds.Basic, AuthKinds.OAuth2ClientCredentials], null, null, null,
        CallLimits.Default, ["http.request"]);

    private static readonly ProviderDefinition Slack = new("slack", "Slack", [AuthKinds.OAuth2Code], new Uri("https://slack.com/api"),
        new OAuthSettings(new Uri("https://slack.com/oauth/v2/authorize"), new Uri("https://slack.com/api/oauth.v2.access"), null, ["chat:write"], ",", false,
            ClientAuthentication.Post, RefreshTokenBehaviour.Rotating, TimeSpan.FromMinutes(15)),
        new HealthCheckCall("POST", "/auth.test", "data.team_id", "data.team"), CallLimits.Default, ["slack.post_message"]);

    private static readonly Guid Id = Guid.Parse("0193f0a0-0000-7000-8000-0000000000c1");

    private static IEnumerable<string> Fields(ProviderDefinition provider, string kind, ConnectionSettings? settings) =>
        ConnectionEndpoints.Check(provider, kind, settings).Select(p => p.Field);

    [Fact]
    public void The_http_provider_needs_a_base_url_of_its_own_and_catalog_providers_take_no_settings()
    {
        Fields(Http, AuthKinds.ApiKey, null).ShouldBe(["settings.base_url"]);
        Fields(Http, AuthKinds.ApiKey, new ConnectionSettings(new Uri("https://api.example.com/v2"), HealthCheckPath: "/me", AccountIdPath: "data.id")).ShouldBeEmpty();
        ConnectionEndpoints.Check(Slack, AuthKinds.OAuth2Code, new ConnectionSettings(new Uri("https://x.example.com"))).Single().Code.ShouldBe("settings_not_supported");
        Fields(Slack, AuthKinds.OAuth2Code, null).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("ftp://files.example.com")]
    [InlineData("https://user:pw@api.example.com")]
    [InlineData("https://api.example.com/?key=1")]
    [InlineData("https://api.example.com/#top")]
    public void A_base_url_is_an_absolute_http_url_without_credentials_query_or_fragment(string url) =>
        Fields(Http, AuthKinds.ApiKey, new ConnectionSettings(new Uri(url))).ShouldBe(["settings.base_url"]);

    [Fact]
    public void Client_credentials_need_a_token_url_and_the_other_settings_belong_to_their_kinds()
    {
        var baseUrl = new Uri("https://api.example.com");
        Fields(Http, AuthKinds.OAuth2ClientCredentials, new ConnectionSettings(baseUrl)).ShouldBe(["settings.token_url"]);
        Fields(Http, AuthKinds.OAuth2ClientCredentials, new ConnectionSettings(baseUrl, new Uri("https://auth.example.com/token"))).ShouldBeEmpty();
        Fields(Http, AuthKinds.ApiKey, new ConnectionSettings(baseUrl, new Uri("https://auth.example.com/token"))).ShouldBe(["settings.token_url"]);
        Fields(Http, AuthKinds.Basic, new ConnectionSettings(baseUrl, ApiKeyHeader: "X-API-Key")).ShouldBe(["settings.api_key_header"]);
        Fields(Http, AuthKinds.ApiKey, new ConnectionSettings(baseUrl, ApiKeyHeader: "X-API-Key")).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("Content-Length")]
    [InlineData("X API Key")]
    [InlineData("X-Key:")]
    public void An_api_key_header_is_a_plain_header_name_that_cannot_steer_the_request(string header) =>
        Fields(Http, AuthKinds.ApiKey, new ConnectionSettings(new Uri("https://api.example.com"), ApiKeyHeader: header)).ShouldBe(["settings.api_key_header"]);

    [Theory]
    [InlineData("me")]
    [InlineData("//evil.example.com/me")]
    [InlineData("/me#x")]
    public void A_health_check_path_stays_below_the_base_url(string path) =>
        Fields(Http, AuthKinds.ApiKey, new ConnectionSettings(new Uri("https://api.example.com"), HealthCheckPath: path)).ShouldBe(["settings.health_check_path"]);

    [Theory]
    [InlineData("id")]
    [InlineData("event.id")]
    [InlineData("data.[")]
    public void Account_paths_are_paths_into_the_answer(string path) =>
        Fields(Http, AuthKinds.ApiKey, new ConnectionSettings(new Uri("https://api.example.com"), AccountIdPath: path)).ShouldBe(["settings.account_id_path"]);

    [Fact]
    public void Paths_are_resolved_below_the_base_url_keeping_its_own_path()
    {
        ConnectionEndpoints.Below(new Uri("https://api.example.com/v2/"), "/me").ShouldBe(new Uri("https://api.example.com/v2/me"));
        ConnectionEndpoints.Below(new Uri("https://api.example.com/v2"), "").ShouldBe(new Uri("https://api.example.com/v2"));
        ConnectionEndpoints.Below(new Uri("https://api.example.com"), "/auth.test").ShouldBe(new Uri("https://api.example.com/auth.test"));
    }

    [Fact]
    public void The_account_is_read_from_the_answer_where_the_path_says_or_is_the_host_when_no_path_is_given()
    {
        var answer = JsonDocument.Parse("""{"ok":true,"team_id":"T123","team":"Acme","n":42}""").RootElement;
        var call = Slack.HealthCheck!;
        ConnectionEndpoints.ReadAccount(call, Slack.ApiBaseUrl!, answer).ShouldBe(new ExternalAccount("T123", "Acme"));
        ConnectionEndpoints.ReadAccount(call with { AccountIdPath = "data.n", AccountNamePath = null }, Slack.ApiBaseUrl!, answer).ShouldBe(new ExternalAccount("42", null));
        ConnectionEndpoints.ReadAccount(call with { AccountIdPath = "data.missing" }, Slack.ApiBaseUrl!, answer).ShouldBeNull();
        ConnectionEndpoints.ReadAccount(call with { AccountIdPath = "data.ok" }, Slack.ApiBaseUrl!, answer).ShouldBeNull("a boolean names no account");

        var own = ConnectionEndpoints.HealthCheck(Http, new ConnectionSettings(new Uri("https://api.example.com:8443/v1")))!;
        own.Path.ShouldBe("");
        ConnectionEndpoints.ReadAccount(own, new Uri("https://api.example.com:8443/v1"), default).ShouldBe(new ExternalAccount("api.example.com:8443", null));
    }

    [Fact]
    public void A_connection_keeps_the_settings_it_was_created_with()
    {
        var settings = new ConnectionSettings(new Uri("https://api.example.com"), HealthCheckPath: "/me");
        var state = ConnectionDecider.Decider.Fold(ConnectionDecider.Decide(
            new CreateConnection(Id, Guid.NewGuid(), "http", AuthKinds.ApiKey, null, "api_key:1", DateTimeOffset.UnixEpoch, settings), ConnectionState.None));
        state.Settings.ShouldBe(settings);
        ConnectionEndpoints.BaseUrl(Http, state.Settings).ShouldBe(new Uri("https://api.example.com"));
        ConnectionEndpoints.BaseUrl(Slack, null).ShouldBe(new Uri("https://slack.com/api"));
    }

    [Fact]
    public void A_provider_with_an_account_api_path_calls_below_it_with_the_connections_account()
    {
        var jira = Slack with { Id = "jira", ApiBaseUrl = new Uri("https://api.atlassian.com"), AccountApiPath = "/ex/jira/{account}/rest/api/3" };

        ConnectionEndpoints.BaseUrl(jira, null, "8a7f6d2e-1111").ShouldBe(new Uri("https://api.atlassian.com/ex/jira/8a7f6d2e-1111/rest/api/3"));
        ConnectionEndpoints.BaseUrl(jira, null).ShouldBe(new Uri("https://api.atlassian.com"), "the health check, which finds the account, calls below the provider's base");
        ConnectionEndpoints.BaseUrl(jira, null, null).ShouldBeNull("no account yet: no API to call");
        ConnectionEndpoints.BaseUrl(Slack, null, "T0001").ShouldBe(new Uri("https://slack.com/api"), "providers without the path are unchanged");
    }

    [Theory]
    [InlineData("../../other")]
    [InlineData("a/b")]
    [InlineData("x?y=1#z")]
    public void An_account_id_cannot_leave_its_path_segment(string account)
    {
        var jira = Slack with { Id = "jira", ApiBaseUrl = new Uri("https://api.atlassian.com"), AccountApiPath = "/ex/jira/{account}/rest/api/3" };

        var url = ConnectionEndpoints.BaseUrl(jira, null, account)!;

        url.Host.ShouldBe("api.atlassian.com");
        url.Query.ShouldBeEmpty();
        url.Fragment.ShouldBeEmpty();
        url.AbsolutePath.ShouldStartWith("/ex/jira/");
        url.AbsolutePath.ShouldEndWith("/rest/api/3");
        url.Segments.Length.ShouldBe(7, "/, ex/, jira/, the account, rest/, api/, 3");
    }
}
