using System.Net;
using System.Text.Json;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

public static class ApiAssertions
{
    /// <summary>Asserts the status and the documented error format; returns the error object.</summary>
    public static async Task<JsonElement> ShouldBeErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json", text);
        text.ShouldNotContain("   at ", customMessage: "no stack trace may leak");
        text.ShouldNotContain("Exception", customMessage: "no exception type may leak");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe(code, text);
        error.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        error.GetProperty("details").ValueKind.ShouldBe(JsonValueKind.Array);
        return error;
    }

    public static async Task<JsonElement> ShouldBeJsonAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static IEnumerable<string?> Fields(this JsonElement error) =>
        error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString());
}
