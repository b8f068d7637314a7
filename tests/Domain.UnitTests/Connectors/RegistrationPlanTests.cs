using System.Text.Json;
using Integrations.Domain.Connectors.Jira;
using Integrations.Domain.Connectors.Registrations;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors;

public sealed class RegistrationPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly WantedRegistration Wanted = new("jira.webhook", "https://in.example.com/inbound/jira/t/c", ["jira:issue_updated"], "project in (\"OPS\")");

    private static KeptRegistration Kept(string? fingerprint = null) => new("1001", fingerprint ?? Wanted.Fingerprint, Now.AddDays(20));

    [Fact]
    public void Nothing_registered_yet_or_gone_at_the_provider_registers()
    {
        RegistrationPlan.Decide(Wanted, null, null, Now, Week).ShouldBe(RegistrationStep.Register);
        RegistrationPlan.Decide(Wanted, Kept(), null, Now, Week).ShouldBe(RegistrationStep.Register, "the provider no longer lists it");
    }

    [Fact]
    public void Renews_inside_the_window_and_keeps_it_outside()
    {
        RegistrationPlan.Decide(Wanted, Kept(), new ObservedRegistration("1001", Now.AddDays(8)), Now, Week).ShouldBe(RegistrationStep.Keep);
        RegistrationPlan.Decide(Wanted, Kept(), new ObservedRegistration("1001", Now.AddDays(7)), Now, Week).ShouldBe(RegistrationStep.Renew);
        RegistrationPlan.Decide(Wanted, Kept(), new ObservedRegistration("1001", Now.AddMinutes(-1)), Now, Week).ShouldBe(RegistrationStep.Renew);
        RegistrationPlan.Decide(Wanted, Kept(), new ObservedRegistration("1001", null), Now, Week).ShouldBe(RegistrationStep.Keep, "it does not expire");
    }

    [Fact]
    public void A_changed_url_event_list_or_filter_replaces_it()
    {
        var observed = new ObservedRegistration("1001", Now.AddDays(20));
        RegistrationPlan.Decide(Wanted with { Filter = "project in (\"FIN\")" }, Kept(), observed, Now, Week).ShouldBe(RegistrationStep.Replace);
        RegistrationPlan.Decide(Wanted with { Url = "https://other.example.com/x" }, Kept(), observed, Now, Week).ShouldBe(RegistrationStep.Replace);
        RegistrationPlan.Decide(Wanted with { Events = ["jira:issue_updated", "jira:issue_created"] }, Kept(), observed, Now, Week).ShouldBe(RegistrationStep.Replace);
        RegistrationPlan.Decide(Wanted, new KeptRegistration("1001", null, null), observed, Now, Week).ShouldBe(RegistrationStep.Replace, "we do not know what it was made for");
    }

    [Fact]
    public void The_fingerprint_ignores_the_order_of_events()
    {
        (Wanted with { Events = ["b", "a"] }).Fingerprint.ShouldBe((Wanted with { Events = ["a", "b"] }).Fingerprint);
    }

    [Fact]
    public void Nothing_wanted_removes_what_the_provider_has_and_forgets_the_rest()
    {
        RegistrationPlan.Decide(null, Kept(), new ObservedRegistration("1001", Now.AddDays(20)), Now, Week).ShouldBe(RegistrationStep.Remove);
        RegistrationPlan.Decide(null, Kept(), null, Now, Week).ShouldBe(RegistrationStep.Forget);
        RegistrationPlan.Decide(null, null, null, Now, Week).ShouldBe(RegistrationStep.Forget);
    }

    [Fact]
    public void The_next_check_comes_early_enough_to_renew_inside_the_window()
    {
        RegistrationPlan.NextCheck(Now, Now.AddDays(30), TimeSpan.FromHours(12), Week).ShouldBe(Now.AddHours(12));
        RegistrationPlan.NextCheck(Now, Now.AddDays(7).AddHours(3), TimeSpan.FromHours(12), Week).ShouldBe(Now.AddHours(3));
        RegistrationPlan.NextCheck(Now, Now.AddDays(2), TimeSpan.FromHours(12), Week).ShouldBe(Now.AddMinutes(1), "already inside the window: soon, never in the past");
        RegistrationPlan.NextCheck(Now, null, TimeSpan.FromHours(12), Week).ShouldBe(Now.AddHours(12));
    }

    [Fact]
    public void Failed_checks_are_retried_sooner_doubling_up_to_the_interval()
    {
        var first = TimeSpan.FromMinutes(5);
        var every = TimeSpan.FromHours(12);
        RegistrationPlan.RetryAt(Now, 1, first, every).ShouldBe(Now.AddMinutes(5));
        RegistrationPlan.RetryAt(Now, 2, first, every).ShouldBe(Now.AddMinutes(10));
        RegistrationPlan.RetryAt(Now, 4, first, every).ShouldBe(Now.AddMinutes(40));
        RegistrationPlan.RetryAt(Now, 50, first, every).ShouldBe(Now.AddHours(12));
    }

    [Fact]
    public void A_jira_connection_wants_a_webhook_for_the_projects_whose_routes_map_statuses()
    {
        static (string, JsonElement) Route(string action, string json) => (action, JsonDocument.Parse(json).RootElement);
        var routes = new[]
        {
            Route("jira.issue", """{"project":"OPS","status_map":{"Done":"closed"}}"""),
            Route("jira.issue", """{"project":"ops","status_map":{"Done":"closed"}}"""),
            Route("jira.issue", """{"project":"FIN","status_map":{}}"""),
            Route("jira.issue", """{"project":"HR","fields_back":{"duedate":{"attribute":"due_at","type":"date"}}}"""),
            Route("jira.issue", """{"project":"A\"B","status_map":{"Done":"closed"}}"""),
            Route("http.request", """{"project":"HR","status_map":{"Done":"closed"}}"""),
        };
        var wanted = JiraWebhookRegistration.Wanted(routes, "https://in.example.com/inbound/jira/t/c").ShouldNotBeNull();
        wanted.Filter.ShouldBe("project in (\"A\\\"B\", \"HR\", \"OPS\")");
        wanted.Events.ShouldBe(["jira:issue_updated"]);
        wanted.Kind.ShouldBe("jira.webhook");
        JiraWebhookRegistration.Wanted([Route("jira.issue", """{"project":"OPS"}""")], "https://x").ShouldBeNull("no route brings anything back");
    }
}
