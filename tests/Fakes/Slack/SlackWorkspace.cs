using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Integrations.Fakes.Common;
using Microsoft.Extensions.Configuration;

namespace Integrations.Fakes.Slack;

/// <summary>A workspace the fake knows (<c>--Teams=T0001=Acme,T0002=Globex</c>).</summary>
public sealed record SlackTeam(string Id, string Name);

/// <summary>A conversation of a workspace; the bot is a member unless the test says otherwise.</summary>
public sealed record SlackChannel(string Id, string Name, string TeamId, bool IsPrivate, bool IsArchived, bool IsMember);

/// <summary>A message chat.postMessage accepted, as the control API shows it.</summary>
public sealed record PostedMessage(string TeamId, string Channel, string Ts, string? Text, JsonElement? Blocks, DateTimeOffset ReceivedAt);

/// <summary>An access token: its workspace, scopes and expiry (null: no rotation, never expires).</summary>
public sealed record AccessGrant(string TeamId, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt)
{
    public bool Revoked { get; set; }
}

/// <summary>
/// The fake's state: apps' codes and tokens, workspaces and channels, posted messages, errors a
/// test queued. Settings: <c>--Client:Id --Client:Secret --Teams=T0001=Acme --Channels=N</c> (channels
/// per team, C&lt;team&gt;0001…) <c>--TokenRotation=true</c> (12-hour tokens and single-use refresh
/// tokens) <c>--ChannelInterval=00:00:01</c> (the per-channel posting limit).
/// </summary>
public sealed class SlackWorkspace : IFakeResettable
{
    public static readonly TimeSpan AccessLifetime = TimeSpan.FromHours(12);
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    private readonly IConfiguration _configuration;
    private readonly object _gate = new();
    private readonly Dictionary<string, (string TeamId, string? RedirectUri, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt)> _codes = new();
    private readonly Dictionary<string, AccessGrant> _access = new();
    private readonly Dictionary<string, (string TeamId, IReadOnlyList<string> Scopes, bool Used)> _refresh = new();
    private readonly Dictionary<string, DateTimeOffset> _lastPost = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _queuedErrors = new();

    public SlackWorkspace(IConfiguration configuration)
    {
        _configuration = configuration;
        ClientId = configuration["Client:Id"] ?? throw new InvalidOperationException("Client:Id is required.");
        ClientSecret = configuration["Client:Secret"] ?? throw new InvalidOperationException("Client:Secret is required.");
        Teams = (configuration["Teams"] ?? "T0001=Acme").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.Split('=', 2)).Select(p => new SlackTeam(p[0], p.Length > 1 ? p[1] : p[0])).ToList();
        Reset();
    }

    public string ClientId { get; }

    public string ClientSecret { get; }

    public IReadOnlyList<SlackTeam> Teams { get; }

    public bool TokenRotation { get; private set; }

    public TimeSpan ChannelInterval { get; private set; }

    public List<SlackChannel> Channels { get; private set; } = [];

    public List<PostedMessage> Messages { get; } = [];

    public int Refreshes { get; private set; }

    public int RefusedRefreshes { get; private set; }

    public int Revocations { get; private set; }

    public void Reset()
    {
        lock (_gate)
        {
            _codes.Clear();
            _access.Clear();
            _refresh.Clear();
            _lastPost.Clear();
            _queuedErrors.Clear();
            Messages.Clear();
            Refreshes = 0;
            RefusedRefreshes = 0;
            Revocations = 0;
            TokenRotation = bool.Parse(_configuration["TokenRotation"] ?? "false");
            ChannelInterval = TimeSpan.Parse(_configuration["ChannelInterval"] ?? "00:00:01", System.Globalization.CultureInfo.InvariantCulture);
            var perTeam = int.Parse(_configuration["Channels"] ?? "3", System.Globalization.CultureInfo.InvariantCulture);
            Channels = Teams.SelectMany(t => Enumerable.Range(1, perTeam)
                .Select(i => new SlackChannel($"C{t.Id}{i:D4}", i == 1 ? "general" : $"channel-{i}", t.Id, false, false, true))).ToList();
        }
    }

    public void Configure(bool? tokenRotation, TimeSpan? channelInterval)
    {
        lock (_gate)
        {
            TokenRotation = tokenRotation ?? TokenRotation;
            ChannelInterval = channelInterval ?? ChannelInterval;
        }
    }

    public void SetChannel(SlackChannel channel)
    {
        lock (_gate)
        {
            Channels.RemoveAll(c => c.Id == channel.Id);
            Channels.Add(channel);
        }
    }

    public string IssueCode(string teamId, string? redirectUri, IReadOnlyList<string> scopes, DateTimeOffset now)
    {
        var code = $"{teamId}.{Random(24)}";
        lock (_gate) _codes[code] = (teamId, redirectUri, scopes, now + CodeLifetime);
        return code;
    }

    /// <summary>The code's grant, once; null (and the error code) when unknown, used, expired or for another redirect URI.</summary>
    public (object? Answer, string? Error) ExchangeCode(string code, string? redirectUri, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_codes.Remove(code, out var grant) || grant.ExpiresAt < now) return (null, "invalid_code");
            if (grant.RedirectUri is not null && grant.RedirectUri != redirectUri) return (null, "bad_redirect_uri");
            return (Issue(grant.TeamId, grant.Scopes, now), null);
        }
    }

    /// <summary>Token rotation: the refresh token works once; its use issues a new pair.</summary>
    public (object? Answer, string? Error) Refresh(string refreshToken, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_refresh.TryGetValue(refreshToken, out var grant) || grant.Used)
            {
                RefusedRefreshes++;
                return (null, "invalid_refresh_token");
            }
            _refresh[refreshToken] = grant with { Used = true };
            Refreshes++;
            return (Issue(grant.TeamId, grant.Scopes, now, rotating: true), null);
        }
    }

    public AccessGrant? Access(string token)
    {
        lock (_gate) return _access.GetValueOrDefault(token);
    }

    /// <summary>auth.revoke ("Revokes a token"): the token it was called with stops working.</summary>
    public void Revoke(AccessGrant grant)
    {
        lock (_gate)
        {
            grant.Revoked = true;
            Revocations++;
        }
    }

    /// <summary>The app uninstalled from a workspace: every token of it stops working.</summary>
    public int RevokeTeam(string teamId)
    {
        lock (_gate)
        {
            var grants = _access.Values.Where(g => g.TeamId == teamId && !g.Revoked).ToList();
            foreach (var grant in grants) grant.Revoked = true;
            foreach (var key in _refresh.Where(r => r.Value.TeamId == teamId).Select(r => r.Key).ToList()) _refresh[key] = _refresh[key] with { Used = true };
            return grants.Count;
        }
    }

    /// <summary>An error a test queued for the next call of a method (its code, and "429" for a rate limit).</summary>
    public string? NextQueuedError(string method) =>
        _queuedErrors.TryGetValue(method, out var queue) && queue.TryDequeue(out var error) ? error : null;

    public void QueueError(string method, string error, int count)
    {
        var queue = _queuedErrors.GetOrAdd(method, _ => new ConcurrentQueue<string>());
        for (var i = 0; i < count; i++) queue.Enqueue(error);
    }

    /// <summary>Slack's per-channel limit: about one message a second. Null: go; otherwise the seconds to wait.</summary>
    public int? TakePostingSlot(string channel, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_lastPost.TryGetValue(channel, out var last) && now - last < ChannelInterval)
                return Math.Max(1, (int)Math.Ceiling((ChannelInterval - (now - last)).TotalSeconds));
            _lastPost[channel] = now;
            return null;
        }
    }

    public PostedMessage Record(string teamId, string channel, string? text, JsonElement? blocks, DateTimeOffset now)
    {
        lock (_gate)
        {
            var ts = $"{now.ToUnixTimeSeconds()}.{Messages.Count + 1:D6}";
            var message = new PostedMessage(teamId, channel, ts, text, blocks, now);
            Messages.Add(message);
            return message;
        }
    }

    public List<PostedMessage> MessagesOf(string? channel)
    {
        lock (_gate) return Messages.Where(m => channel is null || m.Channel == channel).ToList();
    }

    /// <summary>oauth.v2.access's answer (docs.slack.dev/reference/methods/oauth.v2.access), with rotation's expires_in and refresh_token.</summary>
    private object Issue(string teamId, IReadOnlyList<string> scopes, DateTimeOffset now, bool rotating = false)
    {
        var team = Teams.First(t => t.Id == teamId);
        var rotation = TokenRotation || rotating;
        var access = (rotation ? "xoxe.xoxb-1-" : "xoxb-") + Random(32);
        _access[access] = new AccessGrant(teamId, scopes, rotation ? now + AccessLifetime : null);
        var answer = new Dictionary<string, object?>
        {
            ["ok"] = true,
            ["access_token"] = access,
            ["token_type"] = "bot",
            ["scope"] = string.Join(',', scopes),
            ["bot_user_id"] = "U0FAKEBOT",
            ["app_id"] = "A0FAKEAPP",
            ["team"] = new { id = team.Id, name = team.Name },
            ["enterprise"] = null,
            ["is_enterprise_install"] = false,
            ["authed_user"] = new { id = "U0INSTALLER" },
        };
        if (rotation)
        {
            var refresh = "xoxe-1-" + Random(40);
            _refresh[refresh] = (teamId, scopes, false);
            answer["expires_in"] = (int)AccessLifetime.TotalSeconds;
            answer["refresh_token"] = refresh;
        }
        return answer;
    }

    private static string Random(int length) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(length / 2));
}
