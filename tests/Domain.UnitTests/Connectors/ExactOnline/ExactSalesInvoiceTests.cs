using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Domain.Connectors.ExactOnline;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.ExactOnline;

public class ExactSalesInvoiceTests
{
    private const string Item = "6f0c3a55-1d2b-4c9e-9a41-000000000101";
    private const string Revenue = "6f0c3a55-1d2b-4c9e-9a41-000000008000";
    private static readonly string AccountId = Guid.NewGuid().ToString();

    private static readonly ExactInvoiceSettings Settings = new(null, "70", Item, new Dictionary<string, string> { ["high"] = "2" }, null,
        new Dictionary<string, string> { ["revenue"] = Revenue }, null);

    private static string Quoted(string text) => JsonSerializer.Serialize(text);

    private static JsonElement Data(string json) => JsonDocument.Parse(json).RootElement;

    private static readonly JsonElement Invoice = Data("""
        {"entity_id": "inv_1", "entity_type": "invoice", "attributes": {"currency": "eur", "description": "December",
         "customer": {"id": "cus_o'brien", "name": "O'Brien", "email": "a@b.example"},
         "lines": [{"description": "Seats", "quantity": 3, "unit_price": "25.50", "vat_code": "high", "gl_account": "revenue"},
                   {"description": "Setup", "unit_price": 100, "vat_code": "other"}]}}
        """);

    [Fact]
    public void The_plan_maps_codes_and_leaves_unmapped_ones_to_exact()
    {
        var plan = ExactSalesInvoice.Plan(Settings, Invoice).ShouldNotBeNull();
        var (method, path, body) = ExactSalesInvoice.Request(ExactInvoiceStep.CreateInvoice, plan, "/api/v1/{account}", AccountId);

        method.ShouldBe("POST");
        path.ShouldBe("/api/v1/{account}/salesinvoice/SalesInvoices");
        body!["OrderedBy"]!.GetValue<string>().ShouldBe(AccountId);
        body["YourRef"]!.GetValue<string>().ShouldBe("inv_1");
        body["Currency"]!.GetValue<string>().ShouldBe("EUR");
        body["Journal"]!.GetValue<string>().ShouldBe("70");
        var lines = body["SalesInvoiceLines"]!.AsArray();
        lines[0]!["VATCode"]!.GetValue<string>().ShouldBe("2");
        lines[0]!["GLAccount"]!.GetValue<string>().ShouldBe(Revenue);
        lines[0]!["UnitPrice"]!.GetValue<decimal>().ShouldBe(25.5m, "a price given as text is read as a number");
        lines[1]!.AsObject().ContainsKey("VATCode").ShouldBeFalse("no mapping and no default: Exact takes the item's");
        lines[1]!["Quantity"]!.GetValue<decimal>().ShouldBe(1m, "a line without a quantity is one");
        lines.All(l => l!["Item"]!.GetValue<string>() == Item).ShouldBeTrue();
    }

    [Fact]
    public void Defaults_apply_to_codes_the_route_does_not_map()
    {
        var plan = ExactSalesInvoice.Plan(Settings with { DefaultVatCode = "1", DefaultGlAccount = Revenue }, Invoice).ShouldNotBeNull();
        var lines = ExactSalesInvoice.Request(ExactInvoiceStep.CreateInvoice, plan, "/api/v1/7", AccountId).Body!["SalesInvoiceLines"]!.AsArray();
        lines[1]!["VATCode"]!.GetValue<string>().ShouldBe("1");
        lines[1]!["GLAccount"]!.GetValue<string>().ShouldBe(Revenue);
    }

    [Fact]
    public void Lookups_filter_by_our_ids_with_quotes_doubled()
    {
        var plan = ExactSalesInvoice.Plan(Settings, Invoice).ShouldNotBeNull();
        ExactSalesInvoice.Request(ExactInvoiceStep.FindAccount, plan, "/api/v1/7").Path
            .ShouldBe("/api/v1/7/crm/Accounts?$filter=SearchCode%20eq%20%27cus_o%27%27brien%27&$select=ID,Name");
        ExactSalesInvoice.Request(ExactInvoiceStep.FindInvoice, plan, "/api/v1/7").Path.ShouldStartWith("/api/v1/7/salesinvoice/SalesInvoices?$filter=YourRef%20eq%20%27inv_1%27");
        ExactSalesInvoice.DivisionPath(Settings with { Division = 42 }, "{account}").ShouldBe("/api/v1/42");
        ExactSalesInvoice.DivisionPath(Settings, "{account}").ShouldBe("/api/v1/{account}");
    }

    [Theory]
    [InlineData("""{"entity_type": "invoice", "attributes": {"customer": {"id": "c"}, "lines": [{}]}}""")]
    [InlineData("""{"entity_id": "i", "attributes": {"lines": [{}]}}""")]
    [InlineData("""{"entity_id": "i", "attributes": {"customer": {"id": "c"}, "lines": []}}""")]
    [InlineData("""{"entity_id": "an-id-of-more-than-thirty-characters", "attributes": {"customer": {"id": "c"}, "lines": [{}]}}""")]
    [InlineData("""{"entity_id": "i", "attributes": {"customer": {"id": "c"}, "lines": ["not a line"]}}""")]
    public void An_event_without_what_exact_needs_makes_no_call(string data) => ExactSalesInvoice.Plan(Settings, Data(data)).ShouldBeNull();

    [Fact]
    public void Each_answer_leads_to_the_next_step()
    {
        var found = """{"d": {"results": [{"ID": """ + Quoted(AccountId) + "}]}}";
        const string none = """{"d": {"results": []}}""";
        ExactSalesInvoice.After(ExactInvoiceStep.FindInvoice, """{"d": {"results": [{"InvoiceID": "x"}]}}""").ShouldBeOfType<ExactNext.Done>("made already");
        ExactSalesInvoice.After(ExactInvoiceStep.FindInvoice, none).ShouldBe(new ExactNext.Step(ExactInvoiceStep.FindAccount, null));
        ExactSalesInvoice.After(ExactInvoiceStep.FindAccount, found).ShouldBe(new ExactNext.Step(ExactInvoiceStep.CreateInvoice, AccountId));
        ExactSalesInvoice.After(ExactInvoiceStep.FindAccount, none).ShouldBe(new ExactNext.Step(ExactInvoiceStep.CreateAccount, null));
        ExactSalesInvoice.After(ExactInvoiceStep.CreateAccount, """{"d": {"Name": "x", "ID": """ + Quoted(AccountId) + "}}")
            .ShouldBe(new ExactNext.Step(ExactInvoiceStep.CreateInvoice, AccountId));
        ExactSalesInvoice.After(ExactInvoiceStep.CreateAccount, """{"d": {}}""").ShouldBeOfType<ExactNext.Refused>();
        ExactSalesInvoice.After(ExactInvoiceStep.FindAccount, "<xml/>").ShouldBeOfType<ExactNext.Refused>("Exact answers XML unless asked for JSON");
        ExactSalesInvoice.After(ExactInvoiceStep.CreateInvoice, null).ShouldBeOfType<ExactNext.Done>();
    }

    [Fact]
    public void Ids_are_read_from_an_excerpt_cut_mid_document()
    {
        var excerpt = $$"""{"d": {"__metadata": {"uri": "x"}, "InvoiceID": "{{AccountId}}", "Description": "Decem""";
        ExactSalesInvoice.IdIn(excerpt, "InvoiceID").ShouldBe(AccountId);
        ExactSalesInvoice.IdIn(excerpt, "ID").ShouldBeNull();
        ExactSalesInvoice.IdIn(null, "ID").ShouldBeNull();
    }
}
