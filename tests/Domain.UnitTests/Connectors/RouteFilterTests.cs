using System.Text.Json;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors;

public class RouteFilterTests
{
    private static readonly TemplateEvent Event = new(Guid.Parse("0193f0a0-0000-7000-8000-000000000001"), "invoice.paid",
        Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1"), new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));

    private static readonly JsonElement Data = JsonDocument.Parse("""
        {"invoice_id": "in_1", "amount_cents": 150000, "currency": "EUR", "tags": ["vip", "eu"], "customer": {"name": "Acme BV"},
         "paid_at": "2026-12-06T08:59:00Z", "note": null}
        """).RootElement;

    private static bool Matches(string path, string op, string value) =>
        RouteFilter.Parse([new RouteCondition(path, op, value)]).Matches(Event, Data);

    [Theory]
    [InlineData("data.currency", "eq", "\"EUR\"", true)]
    [InlineData("data.currency", "eq", "\"eur\"", false)]
    [InlineData("data.amount_cents", "eq", "150000.0", true)]
    [InlineData("data.amount_cents", "eq", "\"150000\"", false)]
    [InlineData("data.currency", "ne", "\"USD\"", true)]
    [InlineData("data.missing", "ne", "\"USD\"", true)]
    [InlineData("data.currency", "in", "[\"USD\", \"EUR\"]", true)]
    [InlineData("data.currency", "not_in", "[\"USD\", \"EUR\"]", false)]
    [InlineData("data.missing", "not_in", "[\"USD\"]", true)]
    [InlineData("data.customer.name", "exists", "true", true)]
    [InlineData("data.note", "exists", "true", false)]
    [InlineData("data.missing", "exists", "false", true)]
    [InlineData("data.amount_cents", "gte", "100000", true)]
    [InlineData("data.amount_cents", "gt", "150000", false)]
    [InlineData("data.amount_cents", "lt", "1e6", true)]
    [InlineData("data.amount_cents", "lte", "\"200000\"", false)]
    [InlineData("data.paid_at", "gt", "\"2026-12-06T00:00:00Z\"", true)]
    [InlineData("data.tags", "contains", "\"vip\"", true)]
    [InlineData("data.tags", "contains", "\"vi\"", false)]
    [InlineData("data.customer.name", "contains", "\"Acme\"", true)]
    [InlineData("data.customer.name", "starts_with", "\"Acme\"", true)]
    [InlineData("data.customer.name", "starts_with", "\"BV\"", false)]
    [InlineData("data.missing", "eq", "null", false)]
    [InlineData("data.missing", "gt", "0", false)]
    [InlineData("event.type", "eq", "\"invoice.paid\"", true)]
    [InlineData("data.tags[1]", "eq", "\"eu\"", true)]
    public void A_condition_compares_one_value_of_the_event_with_a_literal(string path, string op, string value, bool expected) =>
        Matches(path, op, value).ShouldBe(expected);

    [Fact]
    public void Every_condition_must_hold_and_no_conditions_match_everything()
    {
        RouteFilter.Everything.Matches(Event, Data).ShouldBeTrue();
        var both = RouteFilter.Parse([new("data.currency", "eq", "\"EUR\""), new("data.amount_cents", "gt", "200000")]);
        both.Matches(Event, Data).ShouldBeFalse();
        RouteFilter.Parse([new("data.currency", "eq", "\"EUR\""), new("data.amount_cents", "gt", "100000")]).Matches(Event, Data).ShouldBeTrue();
    }

    [Theory]
    [InlineData("data.x", "matches", "\"a\"", "filter[0].op 'matches' is not one of")]
    [InlineData("customer.name", "eq", "\"a\"", "filter[0].path:")]
    [InlineData("data.x", "eq", "{not json", "filter[0].value is not JSON.")]
    [InlineData("data.x", "in", "\"EUR\"", "must be an array for 'in'")]
    [InlineData("data.x", "exists", "1", "must be true or false")]
    [InlineData("data.x", "gt", "[1]", "must be a number or a string")]
    [InlineData("data.x", "starts_with", "1", "must be a string")]
    public void A_bad_condition_is_refused_saying_which_and_why(string path, string op, string value, string message)
    {
        var error = Should.Throw<DomainException>(() => RouteFilter.Parse([new RouteCondition(path, op, value)]));
        error.Code.ShouldBe("invalid_filter");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void A_filter_has_bounds()
    {
        Should.Throw<DomainException>(() => RouteFilter.Parse(Enumerable.Range(0, 21).Select(_ => new RouteCondition("data.x", "exists", "true")).ToList()))
            .Code.ShouldBe("invalid_filter");
        Should.Throw<DomainException>(() => RouteFilter.Parse([new RouteCondition("data.x", "in", "[" + string.Join(",", Enumerable.Range(0, 101)) + "]")]))
            .Message.ShouldContain("more than 100");
        Should.Throw<DomainException>(() => RouteFilter.Parse([new RouteCondition("data.x", "eq", "\"" + new string('a', 5000) + "\"")]))
            .Message.ShouldContain("longer than 4096 bytes");
        Should.Throw<DomainException>(() => RouteFilter.Parse([new RouteCondition("data.x", "eq", null)])).Message.ShouldContain("value is required");
    }

    [Fact]
    public void Conditions_keep_the_literal_as_given()
    {
        var conditions = RouteFilter.Parse([new RouteCondition("data.amount_cents", "gte", "1000")]).Conditions;
        conditions.ShouldBe([new RouteCondition("data.amount_cents", "gte", "1000")]);
    }
}
