using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>
/// A fault the next refresh calls meet before anything changes (<see cref="LostResponse"/>: after the
/// refresh took effect): <c>invalid_grant</c>, <c>server_error</c> (500, or <see cref="Status"/>),
/// <c>temporarily_unavailable</c> (503), <c>hang</c>, or <c>lost_response</c> (the connection drops).
/// </summary>
public sealed record RefreshFault
{
    public string Kind { get; init; } = "invalid_grant";
    public int Count { get; init; } = 1;
    public int? Status { get; init; }

    public bool LostResponse => Kind == "lost_response";

    public string? Validate() =>
        Kind is not ("invalid_grant" or "server_error" or "temporarily_unavailable" or "hang" or "lost_response")
            ? "kind is invalid_grant, server_error, temporarily_unavailable, hang or lost_response"
        : Count <= 0 ? "count must be positive"
        : Status is < 400 or > 599 ? "status must be an error status (400-599)"
        : null;
}

/// <summary>
/// The configuration and bookkeeping of the fake authorization server: its quirks (settings), clients,
/// accounts, consent requests waiting for a decision, refresh faults and call counters. The tokens
/// themselves are in <see cref="TokenStore"/>.
/// </summary>
public sealed class OAuthServer : IFakeResettable
{
    private readonly object _lock = new();
    private OAuthSettings _initialSettings = new();
    private List<OAuthClient> _initialClients = [];
    private List<Account> _initialAccounts = [new("default", "Default account")];
    private OAuthSettings _settings = new();
    private readonly Dictionary<string, OAuthClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingAuthorization> _pending = new(StringComparer.Ordinal);
    private readonly Control.CountedQueue<RefreshFault> _refreshFaults = new();
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _successes = new(StringComparer.Ordinal);
    private int _refreshReuses;
    private int _revocations;

    public OAuthServer() => Reset();

    /// <summary>
    /// Start-up configuration: the <c>OAuth</c> section holds <see cref="OAuthSettings"/>;
    /// <c>Client:Id</c>, <c>Client:Secret</c> and <c>Client:RedirectUris</c> (comma-separated) the
    /// client; <c>Accounts</c> extra accounts as <c>id=Name,id2=Name 2</c>.
    /// </summary>
    public void Configure(IConfiguration configuration)
    {
        var settings = new OAuthSettings().Merge(ConfigurationJson.Read(configuration.GetSection("OAuth"), typeof(OAuthSettings)));
        if (settings.Validate() is { } problem)
        {
            throw new InvalidOperationException("OAuth settings: " + problem);
        }
        var client = new OAuthClient(
            configuration["Client:Id"] ?? "fake-client",
            configuration["Client:Secret"] is { Length: > 0 } secret ? secret : configuration["Client:Id"] is null ? "fake-secret" : null,
            (configuration["Client:RedirectUris"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList());
        if (client.Validate() is { } clientProblem)
        {
            throw new InvalidOperationException("Client: " + clientProblem);
        }
        var accounts = (configuration["Accounts"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => a.Split('=', 2) is [var id, var name] ? new Account(id, name) : new Account(a, a));
        lock (_lock)
        {
            _initialSettings = settings;
            _initialClients = [client];
            _initialAccounts = [new("default", "Default account"), .. accounts];
        }
        Reset();
    }

    public OAuthSettings Settings
    {
        get
        {
            lock (_lock)
            {
                return _settings;
            }
        }
    }

    /// <summary>Changes the settings named in <paramref name="patch"/>; returns why not, or null.</summary>
    public string? Change(JsonObject patch)
    {
        lock (_lock)
        {
            OAuthSettings changed;
            try
            {
                changed = _settings.Merge(patch);
            }
            catch (System.Text.Json.JsonException ex)
            {
                return ex.Message;
            }
            if (changed.Validate() is { } problem)
            {
                return problem;
            }
            if ((changed.AuthorizePath, changed.TokenPath, changed.RevocationPath) != (_settings.AuthorizePath, _settings.TokenPath, _settings.RevocationPath))
            {
                return "the endpoints' paths are set at start-up";
            }
            _settings = changed;
            return null;
        }
    }

    public OAuthClient? FindClient(string? clientId)
    {
        lock (_lock)
        {
            return clientId is not null && _clients.TryGetValue(clientId, out var client) ? client : null;
        }
    }

    public IReadOnlyList<OAuthClient> Clients
    {
        get
        {
            lock (_lock)
            {
                return _clients.Values.ToList();
            }
        }
    }

    public void AddClient(OAuthClient client)
    {
        lock (_lock)
        {
            _clients[client.ClientId] = client;
        }
    }

    public IReadOnlyList<Account> Accounts
    {
        get
        {
            lock (_lock)
            {
                return _accounts.Values.ToList();
            }
        }
    }

    public void AddAccount(Account account)
    {
        lock (_lock)
        {
            _accounts[account.Id] = account;
        }
    }

    /// <summary>The account with this id; one named after it is created on first use, so tests can connect any account.</summary>
    public Account ResolveAccount(string id)
    {
        lock (_lock)
        {
            if (!_accounts.TryGetValue(id, out var account))
            {
                _accounts[id] = account = new Account(id, id);
            }
            return account;
        }
    }

    public Account? FindAccount(string id)
    {
        lock (_lock)
        {
            return _accounts.GetValueOrDefault(id);
        }
    }

    public void AddPending(PendingAuthorization request)
    {
        lock (_lock)
        {
            _pending[request.Id] = request;
        }
    }

    /// <summary>A waiting consent request, taken (a decision is made once).</summary>
    public PendingAuthorization? TakePending(string? id)
    {
        lock (_lock)
        {
            return id is not null && _pending.Remove(id, out var request) ? request : null;
        }
    }

    public void AddRefreshFault(RefreshFault fault) => _refreshFaults.Add(fault, fault.Count);

    public void ClearRefreshFaults() => _refreshFaults.Clear();

    public RefreshFault? TakeRefreshFault() => _refreshFaults.Take();

    /// <summary>Counts a call of the token endpoint by its grant type.</summary>
    public void CountTokenRequest(string grantType) => Count(_calls, grantType);

    /// <summary>Counts a token endpoint call that handed out tokens.</summary>
    public void CountTokenSuccess(string grantType) => Count(_successes, grantType);

    private void Count(Dictionary<string, int> counters, string grantType)
    {
        lock (_lock)
        {
            counters[grantType] = counters.GetValueOrDefault(grantType) + 1;
        }
    }

    public void CountRevocation() => Interlocked.Increment(ref _revocations);

    /// <summary>Counts a refresh refused because its token had been used or replaced already (not one the fake never issued).</summary>
    public void CountRefreshReuse() => Interlocked.Increment(ref _refreshReuses);

    public object Stats()
    {
        lock (_lock)
        {
            return new
            {
                token_requests = new Dictionary<string, int>(_calls),
                token_successes = new Dictionary<string, int>(_successes),
                revocation_requests = Volatile.Read(ref _revocations),
                refresh_reuses = Volatile.Read(ref _refreshReuses),
            };
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _settings = _initialSettings;
            _clients.Clear();
            foreach (var client in _initialClients)
            {
                _clients[client.ClientId] = client;
            }
            _accounts.Clear();
            foreach (var account in _initialAccounts)
            {
                _accounts[account.Id] = account;
            }
            _pending.Clear();
            _refreshFaults.Clear();
            _calls.Clear();
            _successes.Clear();
            _revocations = 0;
            _refreshReuses = 0;
        }
    }
}
