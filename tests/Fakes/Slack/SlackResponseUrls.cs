using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Integrations.Fakes.Common;
using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Slack;

/// <summary>
/// Slash commands' <c>response_url</c>s (docs.slack.dev/interactivity/handling-user-interaction#message_responses):
/// Slack mints one per command, <c>https://hooks.slack.com/commands/{team}/{id}/{token}</c>, which takes
/// a JSON message (<c>text</c> and/or <c>blocks</c>, <c>response_type</c>, <c>replace_original</c>) up
/// to five times within 30 minutes; a sixth use is refused as <c>used_url</c>, a late one as
/// <c>expired_url</c>, both 404 with the code as plain text. Control: <c>POST /_fake/slack/response-urls
/// {team_id}</c> mints one (what Slack would put in the command it sends), <c>GET</c> lists what each received.
/// </summary>
public sealed class SlackResponseUrls(TimeProvider clock) : IFakeResettable
{
    public const int MaxUses = 5;
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, ResponseUrl> _urls = new(StringComparer.Ordinal);

    public sealed record ResponseUrl(string Path, string TeamId, DateTimeOffset IssuedAt)
    {
        public List<JsonElement> Posts { get; } = [];
    }

    public void Reset() => _urls.Clear();

    public ResponseUrl Mint(string teamId)
    {
        var path = $"/commands/{teamId}/{RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue)}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
        var url = new ResponseUrl(path, teamId, clock.GetUtcNow());
        _urls[path] = url;
        return url;
    }

    public void Map(WebApplication app)
    {
        app.MapPost("/commands/{team}/{id}/{token}", async (HttpContext http) =>
        {
            if (!_urls.TryGetValue(http.Request.Path.Value ?? "", out var url)) return Results.Text("invalid_url", statusCode: 404);
            if (clock.GetUtcNow() - url.IssuedAt > Lifetime) return Results.Text("expired_url", statusCode: 404);
            JsonElement message;
            try
            {
                message = (await JsonDocument.ParseAsync(http.Request.Body)).RootElement.Clone();
            }
            catch (JsonException)
            {
                return Results.Text("invalid_payload", statusCode: 400);
            }
            if (message.ValueKind != JsonValueKind.Object || (!message.TryGetProperty("text", out _) && !message.TryGetProperty("blocks", out _)))
                return Results.Text("no_text", statusCode: 400);
            lock (url.Posts)
            {
                if (url.Posts.Count >= MaxUses) return Results.Text("used_url", statusCode: 404);
                url.Posts.Add(message);
            }
            return Results.Text("ok");
        });

        var control = app.MapGroup(ControlApi.Prefix + "/slack/response-urls");
        control.MapPost("", async (HttpRequest request) =>
        {
            var (body, error) = await ControlApi.ReadAsync<MintBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (string.IsNullOrEmpty(body.TeamId)) return ControlApi.Invalid("team_id is required");
            var url = Mint(body.TeamId);
            return Results.Ok(new { response_url = $"{request.Scheme}://{request.Host}{url.Path}" });
        });
        control.MapGet("", () => Results.Ok(new
        {
            data = _urls.Values.OrderBy(u => u.IssuedAt).Select(u =>
            {
                lock (u.Posts) return new { path = u.Path, team_id = u.TeamId, issued_at = u.IssuedAt, posts = u.Posts.ToList() };
            }),
        }));
    }

    public sealed record MintBody(string TeamId);
}
