using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Slack;

/// <summary>
/// The Web API methods the platform calls, as docs.slack.dev/reference/methods describes them:
/// arguments in the query, a form or a JSON body; the token as a bearer header (or a <c>token</c>
/// argument); every error HTTP 200 with ok:false, except a rate limit (429 with Retry-After).
/// </summary>
public static class SlackWebApi
{
    public const int MaxMessageBlocks = 50;

    public static IResult Error(string error, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["ok"] = false, ["error"] = error };
        if (extra is not null) foreach (var p in extra.GetType().GetProperties()) body[p.Name] = p.GetValue(extra);
        return Results.Json(body);
    }

    public static void MapSlackWebApi(this WebApplication app)
    {
        Method(app, "auth.test", null, (call, _) => Results.Json(new
        {
            ok = true,
            url = $"https://{call.Team.Name.ToLowerInvariant()}.slack.com/",
            team = call.Team.Name,
            user = "integrations-bot",
            team_id = call.Team.Id,
            user_id = "U0FAKEBOT",
            bot_id = "B0FAKEBOT",
            is_enterprise_install = false,
        }));

        // auth.revoke: the bearer token is revoked; test=1 (or true) only says it would be.
        Method(app, "auth.revoke", null, (call, workspace) =>
        {
            var test = call.Arg("test") is "1" or "true";
            if (!test) workspace.Revoke(workspace.Access(call.Token!)!);
            return Results.Json(new { ok = true, revoked = !test });
        });

        Method(app, "conversations.list", "channels:read", (call, workspace) =>
        {
            var limit = 100;
            if (call.Arg("limit") is { } text && (!int.TryParse(text, out limit) || limit < 1 || limit > 1000)) return Error("invalid_limit");
            var offset = 0;
            if (call.Arg("cursor") is { Length: > 0 } cursor && !TryCursor(cursor, out offset)) return Error("invalid_cursor");
            var types = (call.Arg("types") ?? "public_channel").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (types.Any(t => t is not ("public_channel" or "private_channel" or "mpim" or "im"))) return Error("invalid_types");
            var excludeArchived = call.Arg("exclude_archived") is "true" or "1";
            var all = workspace.Channels.Where(c => c.TeamId == call.Team.Id)
                .Where(c => c.IsPrivate ? types.Contains("private_channel") : types.Contains("public_channel"))
                .Where(c => !excludeArchived || !c.IsArchived).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
            var page = all.Skip(offset).Take(limit).ToList();
            var next = offset + page.Count < all.Count ? Cursor(offset + page.Count) : "";
            return Results.Json(new
            {
                ok = true,
                channels = page.Select(c => new
                {
                    id = c.Id, name = c.Name, is_channel = !c.IsPrivate, is_group = c.IsPrivate, is_private = c.IsPrivate,
                    is_archived = c.IsArchived, is_member = c.IsMember, context_team_id = c.TeamId,
                }),
                response_metadata = new { next_cursor = next },
            });
        });

        Method(app, "chat.postMessage", "chat:write", (call, workspace) =>
        {
            var channelId = call.Arg("channel");
            var channel = workspace.Channels.FirstOrDefault(c => c.TeamId == call.Team.Id && c.Id == channelId);
            if (channel is null) return Error("channel_not_found");
            if (channel.IsArchived) return Error("is_archived");
            if (!channel.IsMember) return Error("not_in_channel");
            JsonElement? blocks = null;
            if (call.Blocks() is { } raw)
            {
                if (raw.ValueKind != JsonValueKind.Array || raw.GetArrayLength() > MaxMessageBlocks
                    || raw.EnumerateArray().Any(b => b.ValueKind != JsonValueKind.Object || !b.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String))
                    return Error("invalid_blocks");
                blocks = raw;
            }
            var text = call.Arg("text");
            if (string.IsNullOrEmpty(text) && blocks is null) return Error("no_text");
            if (text is { Length: > 40_000 }) return Error("msg_too_long");
            if (workspace.TakePostingSlot(channel.Id, call.Now) is { } wait)
            {
                call.Http.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Json(new { ok = false, error = "ratelimited" }, statusCode: 429);
            }
            var message = workspace.Record(call.Team.Id, channel.Id, text, blocks, call.Now);
            return Results.Json(new
            {
                ok = true,
                channel = channel.Id,
                ts = message.Ts,
                message = new { type = "message", subtype = "bot_message", text, ts = message.Ts, bot_id = "B0FAKEBOT", blocks },
            });
        });
    }

    private static void Method(WebApplication app, string name, string? scope, Func<SlackCall, SlackWorkspace, IResult> handle)
    {
        async Task<IResult> Handle(HttpContext http, SlackWorkspace workspace, TimeProvider clock)
        {
            var call = await SlackCall.ReadAsync(http, clock.GetUtcNow());
            if (workspace.NextQueuedError(name) is { } queued)
            {
                if (queued != "429") return Error(queued);
                http.Response.Headers.RetryAfter = "1";
                return Results.Json(new { ok = false, error = "ratelimited" }, statusCode: 429);
            }
            if (call.Token is null) return Error("not_authed");
            var grant = workspace.Access(call.Token);
            if (grant is null) return Error("invalid_auth");
            if (grant.Revoked) return Error("token_revoked");
            if (grant.ExpiresAt is { } expires && expires <= call.Now) return Error("token_expired");
            if (scope is not null && !grant.Scopes.Contains(scope))
                return Error("missing_scope", new { needed = scope, provided = string.Join(',', grant.Scopes) });
            call.Team = workspace.Teams.First(t => t.Id == grant.TeamId);
            return handle(call, workspace);
        }
        app.MapGet("/api/" + name, Handle);
        app.MapPost("/api/" + name, Handle);
    }

    private static string Cursor(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset}"));

    private static bool TryCursor(string cursor, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("offset:", StringComparison.Ordinal) && int.TryParse(text[7..], out offset) && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>One Web API call's arguments (query, form or JSON body) and token.</summary>
    private sealed class SlackCall
    {
        private readonly Dictionary<string, string> _args = new(StringComparer.Ordinal);
        private JsonElement? _json;

        public required HttpContext Http { get; init; }

        public DateTimeOffset Now { get; init; }

        public string? Token { get; private set; }

        public SlackTeam Team { get; set; } = null!;

        public string? Arg(string name) => _args.GetValueOrDefault(name);

        /// <summary>blocks: a JSON array in a JSON body, or the array as a string in a form.</summary>
        public JsonElement? Blocks()
        {
            if (_json is { } json && json.TryGetProperty("blocks", out var blocks)) return blocks;
            if (Arg("blocks") is not { } text) return null;
            try
            {
                return JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                return JsonDocument.Parse("\"invalid\"").RootElement.Clone();
            }
        }

        public static async Task<SlackCall> ReadAsync(HttpContext http, DateTimeOffset now)
        {
            var call = new SlackCall { Http = http, Now = now };
            foreach (var (key, value) in http.Request.Query) call._args[key] = value.ToString();
            if (http.Request.HasFormContentType)
                foreach (var (key, value) in await http.Request.ReadFormAsync()) call._args[key] = value.ToString();
            else if (http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
            {
                try
                {
                    var json = (await JsonDocument.ParseAsync(http.Request.Body)).RootElement.Clone();
                    if (json.ValueKind == JsonValueKind.Object)
                    {
                        call._json = json;
                        foreach (var p in json.EnumerateObject().Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
                            call._args[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                    }
                }
                catch (JsonException)
                {
                    // Slack answers invalid_json; the method's own checks then fail on the missing arguments.
                }
            }
            var header = http.Request.Headers.Authorization.ToString();
            call.Token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : call.Arg("token");
            return call;
        }
    }
}
