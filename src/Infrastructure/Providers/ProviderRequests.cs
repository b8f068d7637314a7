using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Connections;

namespace Integrations.Infrastructure.Providers;

/// <summary>
/// One request to a provider's API as a connection, outside the call ledger (pickers' reads, keeping a
/// registration): the connection's credentials, a JSON body, and the answer as JSON or a
/// <see cref="ProviderCallException"/> naming what went wrong — never the answer or a credential.
/// </summary>
internal static class ProviderRequests
{
    /// <param name="expected">Whether a JSON answer is what was asked for; null: any answer (or none) will do.</param>
    /// <param name="vendor">The provider's name for messages (Slack, Jira).</param>
    /// <returns>The answer's JSON; null when it had no body.</returns>
    /// <exception cref="ProviderCallException">Unreachable, 401 (Unauthorized), 429, another non-2xx, an error in the body (providers with a body convention), or an answer not as expected.</exception>
    public static async Task<JsonElement?> SendAsync(HttpClient client, ConnectionAccess access, HttpMethod method, string url, JsonNode? body, string vendor,
        Func<JsonElement, bool>? expected, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        foreach (var (name, value) in access.Credentials.Headers) request.Headers.TryAddWithoutValidation(name, value);
        HttpResponseMessage answer;
        try
        {
            answer = await client.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new ProviderCallException(ProviderFailureKind.Transient, "connection", $"{vendor} could not be reached.");
        }
        using (answer)
        {
            var status = (int)answer.StatusCode;
            if (status == 401) throw new ProviderCallException(ProviderFailureKind.Refused, "http_401", $"{vendor} did not accept the connection's token.");
            if (status == 429) throw new ProviderCallException(ProviderFailureKind.Transient, "ratelimited", $"{vendor} asked to slow down; try again shortly.");
            if (status is < 200 or > 299) throw new ProviderCallException(ProviderFailureKind.Transient, $"http_{status}", $"{vendor} answered {status}.");
            var bytes = await answer.Content.ReadAsByteArrayAsync(ct);
            if (access.Provider.BodyErrors?.Read(bytes) is { } refused)
                throw ProviderCallException.FromBody(refused, $"{vendor} answered {refused.Code}.");
            if (bytes.Length == 0 && expected is null) return null;
            try
            {
                var json = JsonDocument.Parse(bytes).RootElement.Clone();
                return expected is null || expected(json) ? json : throw new ProviderCallException(ProviderFailureKind.Transient, "invalid_response", $"{vendor}'s answer is not what was asked for.");
            }
            catch (JsonException)
            {
                if (expected is null) return null;
                throw new ProviderCallException(ProviderFailureKind.Transient, "invalid_response", $"{vendor}'s answer is not JSON.");
            }
        }
    }
}
