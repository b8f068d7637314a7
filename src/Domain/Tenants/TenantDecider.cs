using Integrations.Domain.Common;

namespace Integrations.Domain.Tenants;

public static class TenantDecider
{
    /// <summary>An organisation may hold this many live keys; rotation means issue, deploy, revoke.</summary>
    public const int MaxActiveApiKeys = 50;

    public static readonly Decider<TenantCommand, TenantState, ITenantEvent> Decider = new(Decide, Evolve, TenantState.None);

    public static string StreamId(Guid tenantId) => $"tenant-{tenantId:N}";

    public static IReadOnlyList<ITenantEvent> Decide(TenantCommand command, TenantState state) => command switch
    {
        CreateTenant c when state.Exists => throw new DomainException("tenant_exists", $"Tenant {c.TenantId} already exists."),
        CreateTenant c => [new TenantCreated(c.TenantId, c.Name.Trim(), RequirePlan(c.Plan), c.Now)],
        _ when !state.Exists => throw new DomainException("tenant_not_found", "The tenant does not exist."),
        ChangePlan c when c.Plan == state.Plan => [],
        ChangePlan c => [new TenantPlanChanged(state.TenantId, RequirePlan(c.Plan), c.Now)],
        IssueApiKey c when state.ApiKeys.ContainsKey(c.KeyId) =>
            throw new DomainException("api_key_exists", $"API key {c.KeyId} already exists."),
        IssueApiKey when state.ApiKeys.Values.Count(k => !k.Revoked) >= MaxActiveApiKeys =>
            throw new DomainException("api_key_limit_reached", $"A tenant can hold at most {MaxActiveApiKeys} active API keys; revoke one first."),
        IssueApiKey c => [new ApiKeyIssued(state.TenantId, c.KeyId, c.Prefix, c.KeyHash, c.Now)],
        RevokeApiKey c when !state.ApiKeys.TryGetValue(c.KeyId, out _) =>
            throw new DomainException("api_key_not_found", "The API key does not exist."),
        // Revoking twice is a no-op, so a retried DELETE is idempotent.
        RevokeApiKey c when state.ApiKeys[c.KeyId].Revoked => [],
        RevokeApiKey c => [new ApiKeyRevoked(state.TenantId, c.KeyId, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown tenant command."),
    };

    public static TenantState Evolve(TenantState state, ITenantEvent @event) => @event switch
    {
        TenantCreated e => new TenantState(e.TenantId, e.Name, e.Plan, e.CreatedAt, new Dictionary<Guid, ApiKeyState>()),
        TenantPlanChanged e => state with { Plan = e.Plan },
        ApiKeyIssued e => state with { ApiKeys = With(state.ApiKeys, e.KeyId, new ApiKeyState(e.KeyId, e.Prefix, false)) },
        ApiKeyRevoked e => state with { ApiKeys = With(state.ApiKeys, e.KeyId, state.ApiKeys[e.KeyId] with { Revoked = true }) },
        _ => state,
    };

    private static string RequirePlan(string plan) =>
        Plans.IsValid(plan) ? plan : throw new DomainException("invalid_plan", $"Unknown plan '{plan}'. Use one of: {string.Join(", ", Plans.All)}.");

    private static Dictionary<Guid, ApiKeyState> With(IReadOnlyDictionary<Guid, ApiKeyState> keys, Guid id, ApiKeyState key) =>
        new(keys) { [id] = key };
}
