using Integrations.Domain.Connectors.Teams;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Teams;

public class TeamsAppManifestTests
{
    private static readonly TeamsAppFacts App = new("bot-id", "Acme Integrations with a rather long product name", "https://api.example.com/teams/tab?tenant=t&expires=1&sig=s",
        "https://api.example.com/", "api.example.com");

    [Fact]
    public void The_manifest_names_the_bot_the_tab_the_icons_and_the_valid_domain()
    {
        var manifest = TeamsAppManifest.Build(App);

        manifest["manifestVersion"]!.GetValue<string>().ShouldBe("1.19");
        manifest["$schema"]!.GetValue<string>().ShouldContain("/v1.19/MicrosoftTeams.schema.json");
        manifest["id"]!.GetValue<string>().ShouldBe("bot-id");
        manifest["bots"]![0]!["botId"]!.GetValue<string>().ShouldBe("bot-id");
        manifest["staticTabs"]![0]!["contentUrl"]!.GetValue<string>().ShouldBe(App.TabUrl);
        manifest["icons"]!["outline"]!.GetValue<string>().ShouldBe("outline.png");
        manifest["validDomains"]![0]!.GetValue<string>().ShouldBe("api.example.com");
    }

    [Fact]
    public void Names_are_cut_to_the_schemas_limits()
    {
        var manifest = TeamsAppManifest.Build(App);

        manifest["name"]!["short"]!.GetValue<string>().Length.ShouldBeLessThanOrEqualTo(30);
        manifest["developer"]!["name"]!.GetValue<string>().Length.ShouldBeLessThanOrEqualTo(32);
        manifest["description"]!["short"]!.GetValue<string>().Length.ShouldBeLessThanOrEqualTo(80);
    }
}
