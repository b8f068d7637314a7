using System.Text.Json;
using Integrations.Domain.Connectors.Teams;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Teams;

public class TeamsInstallationTests
{
    private const string Bot = "bot-app";

    private static JsonElement Activity(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void The_bot_added_to_a_team_is_the_channel_with_its_service_url_tenant_and_team()
    {
        var installed = TeamsInstallation.Read(Activity("""
            {"type":"conversationUpdate","serviceUrl":"https://smba.trafficmanager.net/emea/","recipient":{"id":"28:bot-app"},
             "membersAdded":[{"id":"28:bot-app"}],"conversation":{"id":"19:x@thread.tacv2","conversationType":"channel","tenantId":"t1"},
             "channelData":{"tenant":{"id":"t1"},"team":{"id":"19:team@thread.tacv2","name":"Ops"},"channel":{"id":"19:ch@thread.tacv2","name":"Alerts"}}}
            """), Bot);

        installed.ShouldBe(new TeamsConversation("19:ch@thread.tacv2", "https://smba.trafficmanager.net/emea/", "t1", "19:team@thread.tacv2", "Alerts", "channel"));
    }

    [Fact]
    public void An_installation_update_add_counts_too()
    {
        var installed = TeamsInstallation.Read(Activity("""
            {"type":"installationUpdate","action":"add","serviceUrl":"https://smba.trafficmanager.net/amer/","conversation":{"id":"19:y@thread.tacv2","tenantId":"t2"}}
            """), Bot);

        installed.ShouldNotBeNull().ConversationId.ShouldBe("19:y@thread.tacv2");
        installed.MicrosoftTenantId.ShouldBe("t2");
    }

    [Theory]
    [InlineData("""{"type":"conversationUpdate","serviceUrl":"https://s/","membersAdded":[{"id":"29:a-user"}],"recipient":{"id":"28:bot-app"},"conversation":{"id":"19:z"}}""")]
    [InlineData("""{"type":"conversationUpdate","serviceUrl":"https://s/","membersRemoved":[{"id":"28:bot-app"}],"conversation":{"id":"19:z"}}""")]
    [InlineData("""{"type":"installationUpdate","action":"remove","serviceUrl":"https://s/","conversation":{"id":"19:z"}}""")]
    [InlineData("""{"type":"message","text":"hi","serviceUrl":"https://s/","conversation":{"id":"19:z"}}""")]
    [InlineData("""{"type":"conversationUpdate","membersAdded":[{"id":"28:bot-app"}],"conversation":{"id":"19:z"}}""")]
    [InlineData("""[1]""")]
    public void Anything_else_is_no_installation(string json) => TeamsInstallation.Read(Activity(json), Bot).ShouldBeNull();

    [Fact]
    public void The_bot_removed_from_a_team_forgets_the_whole_team()
    {
        TeamsInstallation.ReadRemoval(Activity("""
            {"type":"conversationUpdate","serviceUrl":"https://s/","recipient":{"id":"28:bot-app"},"membersRemoved":[{"id":"28:bot-app"}],
             "conversation":{"id":"19:ch@thread.tacv2"},"channelData":{"team":{"id":"19:team@thread.tacv2"},"eventType":"teamMemberRemoved"}}
            """), Bot).ShouldBe(new TeamsRemoval("19:team@thread.tacv2", "19:ch@thread.tacv2"));
    }

    [Fact]
    public void An_installation_update_remove_outside_a_team_forgets_the_conversation()
    {
        TeamsInstallation.ReadRemoval(Activity("""
            {"type":"installationUpdate","action":"remove","serviceUrl":"https://s/","conversation":{"id":"a:chat1"}}
            """), Bot).ShouldBe(new TeamsRemoval(null, "a:chat1"));
    }

    [Theory]
    [InlineData("""{"type":"conversationUpdate","serviceUrl":"https://s/","membersRemoved":[{"id":"29:a-user"}],"recipient":{"id":"28:bot-app"},"conversation":{"id":"19:z"}}""")]
    [InlineData("""{"type":"conversationUpdate","serviceUrl":"https://s/","membersAdded":[{"id":"28:bot-app"}],"conversation":{"id":"19:z"}}""")]
    [InlineData("""{"type":"installationUpdate","action":"add","serviceUrl":"https://s/","conversation":{"id":"19:z"}}""")]
    [InlineData("""{"type":"installationUpdate","action":"remove","serviceUrl":"https://s/"}""")]
    public void Anything_else_removes_nothing(string json) => TeamsInstallation.ReadRemoval(Activity(json), Bot).ShouldBeNull();
}
