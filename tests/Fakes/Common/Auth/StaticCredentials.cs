using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace Integrations.Fakes.Common.Auth;

/// <summary>How a fake's API authenticates its callers.</summary>
public enum ResourceAuthMode
{
    /// <summary>OAuth 2.0 access tokens as bearer tokens (RFC 6750).</summary>
    [JsonStringEnumMemberName("oauth2")]
    OAuth2,
    /// <summary>API keys, as <c>Authorization: Bearer &lt;key&gt;</c> or in the API-key header.</summary>
    ApiKey,
    /// <summary>HTTP Basic with a user name and password (RFC 7617).</summary>
    Basic,
}

/// <summary>The mode of the API's authentication and the API keys and Basic users it accepts.</summary>
public sealed record ResourceAuthSettings
{
    public ResourceAuthMode Mode { get; init; } = ResourceAuthMode.OAuth2;
    /// <summary>The header that may carry an API key instead of <c>Authorization: Bearer</c>.</summary>
    public string ApiKeyHeader { get; init; } = "X-API-Key";
}

/// <summary>
/// API keys and Basic users of the non-OAuth modes, each bound to an account. Start-up configuration:
/// <c>Auth:Mode</c>, <c>Auth:ApiKeyHeader</c>, <c>Auth:ApiKeys</c> (<c>key=account,…</c>) and
/// <c>Auth:Users</c> (<c>user:password=account,…</c>); the control API changes them at run time.
/// </summary>
public sealed class StaticCredentials : IFakeResettable
{
    private readonly object _lock = new();
    private ResourceAuthSettings _initialSettings = new();
    private Dictionary<string, string> _initialKeys = new(StringComparer.Ordinal);
    private Dictionary<string, (string Password, string Account)> _initialUsers = new(StringComparer.Ordinal);
    private ResourceAuthSettings _settings = new();
    private Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private Dictionary<string, (string Password, string Account)> _users = new(StringComparer.Ordinal);

    public void Configure(IConfiguration configuration)
    {
        var section = configuration.GetSection("Auth");
        var settings = new ResourceAuthSettings
        {
            Mode = Enum.TryParse<ResourceAuthMode>((section["Mode"] ?? "OAuth2").Replace("-", "").Replace("_", ""), ignoreCase: true, out var mode)
                ? mode
                : throw new InvalidOperationException($"Auth:Mode '{section["Mode"]}' is not oauth2, api_key or basic"),
            ApiKeyHeader = section["ApiKeyHeader"] ?? "X-API-Key",
        };
        var keys = Pairs(section["ApiKeys"]).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var users = Pairs(section["Users"]).ToDictionary(
            p => p.Key.Split(':', 2)[0],
            p => (p.Key.Split(':', 2) is [_, var password] ? password : "", p.Value),
            StringComparer.Ordinal);
        lock (_lock)
        {
            (_initialSettings, _initialKeys, _initialUsers) = (settings, keys, users);
        }
        Reset();
    }

    public ResourceAuthSettings Settings
    {
        get
        {
            lock (_lock)
            {
                return _settings;
            }
        }
        set
        {
            lock (_lock)
            {
                _settings = value;
            }
        }
    }

    public void AddApiKey(string key, string account)
    {
        lock (_lock)
        {
            _keys[key] = account;
        }
    }

    public bool RemoveApiKey(string key)
    {
        lock (_lock)
        {
            return _keys.Remove(key);
        }
    }

    public string? AccountOfKey(string key)
    {
        lock (_lock)
        {
            return _keys.GetValueOrDefault(key);
        }
    }

    public void AddUser(string username, string password, string account)
    {
        lock (_lock)
        {
            _users[username] = (password, account);
        }
    }

    public bool RemoveUser(string username)
    {
        lock (_lock)
        {
            return _users.Remove(username);
        }
    }

    /// <summary>The account of a user whose password matches, or null.</summary>
    public string? AccountOfUser(string username, string password)
    {
        lock (_lock)
        {
            return _users.TryGetValue(username, out var user)
                && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.UTF8.GetBytes(user.Password), System.Text.Encoding.UTF8.GetBytes(password))
                ? user.Account
                : null;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _settings = _initialSettings;
            _keys = new Dictionary<string, string>(_initialKeys, StringComparer.Ordinal);
            _users = new Dictionary<string, (string, string)>(_initialUsers, StringComparer.Ordinal);
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> Pairs(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2) is [var key, var account] ? KeyValuePair.Create(key, account) : KeyValuePair.Create(p, "default"));
}
