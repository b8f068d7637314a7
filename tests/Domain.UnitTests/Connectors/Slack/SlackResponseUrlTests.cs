using Integrations.Domain.Connectors.Slack;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Slack;

public sealed class SlackResponseUrlTests
{
    private const string Prefix = "https://hooks.slack.com/";

    [Theory]
    [InlineData("https://hooks.slack.com/commands/T0001/1234/abcd")]
    [InlineData("https://HOOKS.slack.com/commands/T0001/1234/abcd")]
    [InlineData("https://hooks.slack.com:443/commands/x")]
    public void Slacks_own_urls_are_allowed(string url) => SlackResponseUrl.Allowed(url, Prefix).ShouldBeTrue();

    [Theory]
    [InlineData("http://hooks.slack.com/commands/1", "another scheme")]
    [InlineData("https://hooks.slack.com.evil.example/commands/1", "a host that only starts like Slack's")]
    [InlineData("https://evil.example/https://hooks.slack.com/", "Slack's URL in the path")]
    [InlineData("https://hooks.slack.com@evil.example/commands/1", "credentials making Slack the user name")]
    [InlineData("https://user:pw@hooks.slack.com/commands/1", "credentials")]
    [InlineData("https://hooks.slack.com:8443/commands/1", "another port")]
    [InlineData("https://169.254.169.254/latest/meta-data", "the metadata address")]
    [InlineData("/commands/1", "a relative URL")]
    [InlineData("not a url", "not a URL")]
    public void Anything_else_is_refused(string url, string why) => SlackResponseUrl.Allowed(url, Prefix).ShouldBeFalse(why);

    [Fact]
    public void A_prefix_with_a_path_bounds_the_path_too()
    {
        SlackResponseUrl.Allowed("http://127.0.0.1:5000/commands/T1/2/x", "http://127.0.0.1:5000/commands/").ShouldBeTrue();
        SlackResponseUrl.Allowed("http://127.0.0.1:5000/api/chat.postMessage", "http://127.0.0.1:5000/commands/").ShouldBeFalse();
        SlackResponseUrl.Allowed("http://127.0.0.1:5000/commands/../api/chat.postMessage", "http://127.0.0.1:5000/commands/").ShouldBeFalse("dot segments are removed first");
    }
}
