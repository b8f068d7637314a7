using System.Net;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>The OpenAPI document's webhooks section describes the request endpoints really receive: body fields and headers.</summary>
[Collection(DeliveryCollection.Name)]
public class WebhookSpecTests(DeliveryFixture fixture)
{
    [Fact]
    public async Task The_documented_webhook_body_and_headers_match_a_delivered_request()
    {
        var document = await (await fixture.System.Client().GetAsync("/openapi/v1.json")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var operation = document.GetProperty("webhooks").GetProperty("invoice.paid").GetProperty("post");
        var schema = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var documented = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        var required = schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).ToList();
        var headers = operation.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()!.ToLowerInvariant()).ToList();
        var example = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

        var endpoint = await fixture.System.CreateEndpointAsync(fixture.Sink, ["invoice.paid"]);
        await endpoint.Tenant.Client.PublishAsync("invoice.paid");
        var request = (await fixture.Sink.WaitForAsync(endpoint.Path, 1, TimeSpan.FromSeconds(30))).Single();
        var delivered = request.Json.EnumerateObject().Select(p => p.Name).ToList();

        documented.OrderBy(n => n, StringComparer.Ordinal).ShouldBe(delivered.OrderBy(n => n, StringComparer.Ordinal), "the schema's properties are the delivered body's fields");
        required.OrderBy(n => n, StringComparer.Ordinal).ShouldBe(delivered.OrderBy(n => n, StringComparer.Ordinal), "every delivered field is always there");
        example.EnumerateObject().Select(p => p.Name).ShouldBe(delivered, "the example has the delivered fields in the delivered order");
        foreach (var header in headers) request.Headers.ContainsKey(header).ShouldBeTrue($"the delivered request carries {header}");
        headers.ShouldBe(["webhook-id", "x-webhook-id", "webhook-timestamp", "webhook-signature"], ignoreOrder: true);
        request.Headers["x-webhook-id"].ShouldBe(request.Json.GetProperty("webhook_id").GetString());
    }

    [Fact]
    public async Task Data_is_delivered_byte_for_byte_as_published()
    {
        var endpoint = await fixture.System.CreateEndpointAsync(fixture.Sink, ["entity.created"]);
        // Key order, spacing and escapes a re-serialisation would change.
        const string data = "{ \"zeta\":1,\n  \"entity_id\" : \"e\\u00e9\",\"amount\":1.50, \"alpha\":[ true,null ] }";
        var published = await endpoint.Tenant.Client.PostAsync("/api/v1/events",
            new StringContent("{\"event_type\":\"entity.created\",\"data\":" + data + "}", System.Text.Encoding.UTF8, "application/json"));
        published.StatusCode.ShouldBe(HttpStatusCode.Accepted, await published.Content.ReadAsStringAsync());

        var request = (await fixture.Sink.WaitForAsync(endpoint.Path, 1, TimeSpan.FromSeconds(30))).Single();
        System.Text.Encoding.UTF8.GetString(request.Body).ShouldContain("\"data\":" + data + ",", customMessage: "the published bytes of data, untouched");
    }
}
