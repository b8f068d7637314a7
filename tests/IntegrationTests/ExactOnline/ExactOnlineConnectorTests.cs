using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.Domain.Notifications;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Shouldly;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;

namespace Integrations.IntegrationTests.ExactOnline;

/// <summary>
/// The exact-online provider through real processes: OAuth at the Exact Online fake with the current division as the
/// account, invoices of the product as sales invoices with their customers found or made first, nothing made twice, and
/// a used-up day holding the connection's calls until Exact's reset.
/// </summary>
[Collection(ExactOnlineCollection.Name)]
public sealed class ExactOnlineConnectorTests(ExactOnlineSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetExactAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Connecting_stores_the_current_division_as_the_account_and_never_the_tokens()
    {
        var tenant = await system.TenantAsync();

        var id = await system.ConnectAsync(tenant.Client);

        var connection = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("account").GetProperty("id").GetString().ShouldBe(ExactOnlineSystem.Division);
        connection.GetProperty("account").GetProperty("name").GetString().ShouldBe("Acme BV");
        connection.GetRawText().ShouldNotContain(ExactOnlineSystem.ExactClientSecret);
        var token = (await system.ExactControl.RequestsAsync("/api/oauth2/token")).ShouldHaveSingleItem();
        token.Body!.ShouldContain("client_secret=" + ExactOnlineSystem.ExactClientSecret, customMessage: "Exact takes the secret in the form body");
        connection.GetProperty("token").GetProperty("expires_at").GetDateTimeOffset().ShouldBeLessThan(DateTimeOffset.UtcNow.AddMinutes(11), "Exact's tokens live 10 minutes");
    }

    [Fact]
    public async Task An_invoice_becomes_a_sales_invoice_whose_customer_is_made_once_and_both_are_linked()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await ExactOnlineSystem.InvoiceRouteAsync(tenant.Client, id);

        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", ExactOnlineSystem.Invoice("inv_1001"));

        // Is it made already? Is the customer there? Make the customer; make the invoice.
        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 4 && c.All(x => x.Status() == "succeeded"), Soon,
            "the four steps of the invoice succeeded");
        var account = (await system.AccountsAsync()).ShouldHaveSingleItem();
        account.GetProperty("SearchCode").GetString().ShouldBe("cus_42");
        account.GetProperty("Name").GetString().ShouldBe("Ada's Bakery");
        account.GetProperty("Email").GetString().ShouldBe("billing@ada.example");
        account.GetProperty("Country").GetString().ShouldBe("NL");
        var invoice = (await system.InvoicesAsync()).ShouldHaveSingleItem();
        invoice.GetProperty("YourRef").GetString().ShouldBe("inv_1001");
        invoice.GetProperty("OrderedBy").GetString().ShouldBe(account.GetProperty("ID").GetString());
        invoice.GetProperty("Journal").GetString().ShouldBe("70");
        invoice.GetProperty("Currency").GetString().ShouldBe("EUR");
        var lines = invoice.GetProperty("SalesInvoiceLines").GetProperty("results").EnumerateArray().ToList();
        lines.Count.ShouldBe(2);
        lines[0].GetProperty("Item").GetString().ShouldBe(ExactOnlineSystem.Item);
        lines[0].GetProperty("VATCode").GetString().ShouldBe("2", "our high rate mapped to Exact's code");
        lines[0].GetProperty("GLAccount").GetString().ShouldBe(ExactOnlineSystem.RevenueAccount);
        lines[0].GetProperty("AmountFC").GetDecimal().ShouldBe(76.5m);
        lines[1].TryGetProperty("VATCode", out _).ShouldBeFalse("a code the route does not map, without a default, is left to Exact's item");
        var links = (await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/links")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Select(l => (l.GetProperty("entity_type").GetString(), l.GetProperty("entity_id").GetString(),
                l.GetProperty("external_type").GetString(), l.GetProperty("external_id").GetString())).ToList();
        links.ShouldBe([("customer", "cus_42", "exact.account", account.GetProperty("ID").GetString()),
            ("invoice", "inv_1001", "exact.sales_invoice", invoice.GetProperty("InvoiceID").GetString())], ignoreOrder: true);

        // The same invoice again (the product published it twice), then another invoice of the same customer.
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", ExactOnlineSystem.Invoice("inv_1001"));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 5 && c.All(x => x.Status() == "succeeded"), Soon, "the repeat was looked up");
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", ExactOnlineSystem.Invoice("inv_1002"));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 8 && c.All(x => x.Status() == "succeeded"), Soon,
            "the second invoice found its customer");

        (await system.InvoicesAsync()).Select(i => i.GetProperty("YourRef").GetString()).ShouldBe(["inv_1001", "inv_1002"], "the repeat made no second invoice");
        (await system.AccountsAsync()).Count.ShouldBe(1, "the customer was found by its SearchCode, not made again");
        var posts = await system.ExactControl.RequestsAsync("/api/v1/" + ExactOnlineSystem.Division + "/salesinvoice/SalesInvoices", "POST");
        posts.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_route_may_name_another_division_of_the_user()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await ExactOnlineSystem.InvoiceRouteAsync(tenant.Client, id, new { item = ExactOnlineSystem.Item, division = int.Parse(ExactOnlineSystem.OtherDivision, System.Globalization.CultureInfo.InvariantCulture), journal = "71", default_vat_code = "1" });

        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", ExactOnlineSystem.Invoice("inv_be_1"));

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 4 && c.All(x => x.Status() == "succeeded"), Soon, "the invoice was made");
        (await system.InvoicesAsync()).ShouldBeEmpty();
        var invoice = (await system.InvoicesAsync(ExactOnlineSystem.OtherDivision)).ShouldHaveSingleItem();
        invoice.GetProperty("Journal").GetString().ShouldBe("71");
        invoice.GetProperty("SalesInvoiceLines").GetProperty("results").EnumerateArray().Select(l => l.GetProperty("VATCode").GetString())
            .ShouldBe(["1", "1"], "the default VAT code for codes the route does not map");
        (await system.AccountsAsync(ExactOnlineSystem.OtherDivision)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_used_up_day_holds_the_connections_calls_until_exacts_reset_and_then_they_all_go()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await ExactOnlineSystem.InvoiceRouteAsync(tenant.Client, id);
        var resetAt = DateTimeOffset.UtcNow.AddSeconds(12);
        await system.DayLeftAsync(0, TimeSpan.FromSeconds(12));

        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", ExactOnlineSystem.Invoice("inv_d1", "cus_d1"));
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", ExactOnlineSystem.Invoice("inv_d2", "cus_d2"));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 8 && c.All(x => x.Status() == "succeeded"), TimeSpan.FromSeconds(60),
            "both invoices were made once the day was reset");
        (await system.InvoicesAsync()).Count.ShouldBe(2);
        var refused = 0;
        foreach (var call in calls)
        {
            var attempts = (await ConnectorsSystem.CallAsync(tenant.Client, id, call.Id())).Attempts();
            refused += attempts.Count(a => a.GetProperty("status_code").ValueKind == JsonValueKind.Number && a.GetProperty("status_code").GetInt32() == 429);
            foreach (var sent in attempts.Where(a => a.GetProperty("sent").GetBoolean() && a.GetProperty("status_code").GetInt32() != 429))
                sent.GetProperty("started_at").GetDateTimeOffset().ShouldBeGreaterThan(resetAt.AddSeconds(-1), "nothing went before Exact's reset");
        }
        refused.ShouldBeLessThanOrEqualTo(2, "one 429 tells the connection the day is used up; the calls then wait instead of asking again");
        refused.ShouldBeGreaterThanOrEqualTo(1);
        await Infrastructure.Eventually.HoldsAsync(async () => (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.QuotaExhausted, id)).Count == 2,
            Soon, "the tenant heard that the calls wait, and that they go again");
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.QuotaExhausted, id)).ShouldBe(["IncidentOpened", "IncidentResolved"]);
    }

    [Fact]
    public async Task Route_settings_exact_cannot_take_are_refused_with_each_reason()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);

        var response = await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{id}/routes", new
        {
            event_types = new[] { "entity.created" }, action = "exact.sales_invoice", filter = Array.Empty<object>(),
            settings = new { item = "soap", division = "main", journal = "sales journal", vat_codes = new { high = "twenty-one" }, gl_accounts = new { revenue = "8000" }, colour = "red" },
        });

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var fields = error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToList();
        fields.ShouldBe(["settings.colour", "settings.item", "settings.division", "settings.journal", "settings.vat_codes.high", "settings.gl_accounts.revenue"], ignoreOrder: true);
    }
}
