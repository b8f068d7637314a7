using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Integrations.Fakes.Common;
using Microsoft.Extensions.Configuration;

namespace Integrations.Fakes.HubSpot;

/// <summary>What a change to a record was, for its webhook events: made, deleted, or these properties changed.</summary>
public sealed record RecordChange(CrmRecord Record, string Kind, IReadOnlyDictionary<string, string> Properties);

/// <summary>Who made a change, as HubSpot reports it: <c>changeSource</c> and <c>sourceId</c>.</summary>
public sealed record ChangeSource(string Source, string? SourceId)
{
    /// <summary>Someone in HubSpot's UI (the fake's control API).</summary>
    public static ChangeSource CrmUi { get; } = new("CRM_UI", "userId:9001");
}

/// <summary>
/// The app's webhooks as HubSpot sends them (developers.hubspot.com/docs/api/webhooks): one target URL for the app
/// (set with <c>--HubSpot:WebhookUrl</c> or the control API), each change a POST of a JSON array of events
/// <c>{eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType, attemptNumber, objectId, changeSource, sourceId,
/// propertyName, propertyValue}</c> — <c>contact.creation</c>, <c>contact.deletion</c>, <c>contact.propertyChange</c> and the
/// <c>company.*</c> ones; a property change only for a value that changed, as HubSpot does. Changes made with an app's token
/// are <c>INTEGRATION</c> with the app's id as <c>sourceId</c>; changes in the UI (the control API) <c>CRM_UI</c>. Signed v3
/// (docs/api/webhooks/validating-requests): <c>X-HubSpot-Signature-v3</c> = base64 HMAC-SHA256 with the client secret of
/// method + URI + body + <c>X-HubSpot-Request-Timestamp</c> (epoch ms). Retried when the answer is 5xx or no answer came
/// (HubSpot: up to 10 times over 24 hours; 4xx are not retried), the fake waiting <c>HubSpot:WebhookRetryDelayMs</c> between tries.
/// The fake subscribes to every property (HubSpot subscribes per property) and signs with the clock of its host.
/// </summary>
public sealed class HubSpotWebhooks(IHttpClientFactory clients, TimeProvider clock, IConfiguration configuration) : IFakeResettable
{
    public const int MaxAttempts = 10;
    private readonly object _gate = new();
    private readonly List<JsonObject> _deliveries = [];
    private string? _targetUrl;
    private long _nextEventId = 7_000_001;

    public string AppId => configuration["HubSpot:AppId"] ?? "1160452";

    public string? TargetUrl
    {
        get
        {
            lock (_gate) return _targetUrl ?? configuration["HubSpot:WebhookUrl"];
        }
        set
        {
            lock (_gate) _targetUrl = value;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _deliveries.Clear();
            _targetUrl = null;
        }
    }

    /// <summary>Every attempt made: the URL, the events, the attempt number and the answer's status (null: no answer).</summary>
    public IReadOnlyList<JsonObject> Deliveries()
    {
        lock (_gate) return _deliveries.Select(d => (JsonObject)d.DeepClone()).ToList();
    }

    /// <summary>The events of one change, sent as one batch in the background (HubSpot sends asynchronously).</summary>
    public void Send(RecordChange change, ChangeSource source)
    {
        if (TargetUrl is not { } url) return;
        var type = change.Record.Object == "contacts" ? "contact" : "company";
        var events = new List<JsonObject>();
        JsonObject Event(string kind)
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            return new JsonObject
            {
                ["eventId"] = Interlocked.Increment(ref _nextEventId), ["subscriptionId"] = 4100 + events.Count, ["portalId"] = long.Parse(change.Record.Portal, CultureInfo.InvariantCulture),
                ["appId"] = long.Parse(AppId, CultureInfo.InvariantCulture), ["occurredAt"] = now, ["subscriptionType"] = $"{type}.{kind}", ["attemptNumber"] = 0,
                ["objectId"] = long.Parse(change.Record.Id, CultureInfo.InvariantCulture), ["changeSource"] = source.Source, ["sourceId"] = source.SourceId,
            };
        }
        if (change.Kind is "creation" or "deletion") events.Add(Event(change.Kind));
        foreach (var (name, value) in change.Properties)
        {
            var e = Event("propertyChange");
            e["propertyName"] = name;
            e["propertyValue"] = value;
            events.Add(e);
        }
        if (events.Count > 0) _ = Task.Run(() => DeliverAsync(url, events));
    }

    private async Task DeliverAsync(string url, List<JsonObject> events)
    {
        var delay = TimeSpan.FromMilliseconds(configuration.GetValue("HubSpot:WebhookRetryDelayMs", 1000));
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            foreach (var e in events) e["attemptNumber"] = attempt;
            var body = new JsonArray([.. events.Select(e => (JsonNode?)e.DeepClone())]).ToJsonString();
            int? status = null;
            try
            {
                using var client = clients.CreateClient("hubspot-webhooks");
                using var request = Signed(url, body);
                using var answer = await client.SendAsync(request);
                status = (int)answer.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // No answer: HubSpot retries.
            }
            lock (_gate)
            {
                _deliveries.Add(new JsonObject
                {
                    ["url"] = url, ["attempt"] = attempt, ["status"] = status, ["events"] = JsonNode.Parse(body),
                });
            }
            if (status is >= 200 and < 500) return;
            await Task.Delay(delay);
        }
    }

    private HttpRequestMessage Signed(string url, string body)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var secret = Encoding.UTF8.GetBytes(configuration["Client:Secret"] ?? "fake-secret");
        var signature = Convert.ToBase64String(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes("POST" + url + body + timestamp)));
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-HubSpot-Signature-v3", signature);
        request.Headers.Add("X-HubSpot-Request-Timestamp", timestamp);
        return request;
    }
}
