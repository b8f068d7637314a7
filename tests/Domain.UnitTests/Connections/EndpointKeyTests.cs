using Integrations.Domain.Connections;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connections;

public class EndpointKeyTests
{
    private static readonly EndpointKey Workflows = new(["*.logic.azure.com", "*.powerplatform.com", "http://127.0.0.1:5080"]);

    [Theory]
    [InlineData("https://prod-27.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sv=1.0&sig=x")]
    [InlineData("https://default0a1b.02.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=x")]
    [InlineData("http://127.0.0.1:5080/workflows/abc/triggers/manual/paths/invoke?sig=x")]
    public void Workflow_urls_on_microsofts_hosts_pass(string url) => Workflows.Check(url).ShouldBeNull();

    [Theory]
    [InlineData("https://logic.azure.com/workflows/abc?sig=x", "host_not_allowed")]
    [InlineData("https://evil-logic.azure.com.example.net/workflows/abc?sig=x", "host_not_allowed")]
    [InlineData("https://xlogic.azure.com/workflows/abc?sig=x", "host_not_allowed")]
    [InlineData("http://prod-27.westus.logic.azure.com/workflows/abc?sig=x", "invalid_url")]
    [InlineData("https://prod-27.westus.logic.azure.com:8443/workflows/abc?sig=x", "invalid_url")]
    [InlineData("http://127.0.0.1:5081/workflows/abc?sig=x", "invalid_url")]
    [InlineData("https://u:p@prod-27.westus.logic.azure.com/workflows/abc?sig=x", "invalid_url")]
    [InlineData("https://prod-27.westus.logic.azure.com/workflows/abc?sig=x#f", "invalid_url")]
    [InlineData("not a url", "invalid_url")]
    public void Anything_else_is_refused_without_repeating_the_url(string url, string code)
    {
        var problem = Workflows.Check(url).ShouldNotBeNull();

        problem.Code.ShouldBe(code);
        problem.Field.ShouldBe("credentials.api_key");
        problem.Message.ShouldNotContain("sig=x");
    }

    [Fact]
    public void The_call_goes_to_the_url_without_its_query_and_the_query_is_sent_as_credentials()
    {
        const string key = "https://prod-27.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s%2Bg";

        EndpointKey.BaseOf(key).ToString().ShouldBe("https://prod-27.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke");
        EndpointKey.QueryOf(key).ShouldBe(new Dictionary<string, string> { ["api-version"] = "2016-06-01", ["sp"] = "/triggers/manual/run", ["sv"] = "1.0", ["sig"] = "s+g" });
    }

    [Fact]
    public void The_account_is_the_workflow_id_else_a_digest_of_the_path_never_the_signature()
    {
        EndpointKey.Account("https://h.logic.azure.com/workflows/abc123/triggers/manual/paths/invoke?sig=x").ShouldBe(new ExternalAccount("abc123", "h.logic.azure.com"));
        var other = EndpointKey.Account("https://h.logic.azure.com/hooks/x?sig=secret");
        other.Id.ShouldStartWith("path-");
        other.Id.ShouldNotContain("secret");
        EndpointKey.Account("https://h.logic.azure.com/hooks/x?sig=other").ShouldBe(other, "the same endpoint with another signature is the same account");
    }
}
