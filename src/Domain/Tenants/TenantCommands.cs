namespace Integrations.Domain.Tenants;

public abstract record TenantCommand;

public sealed record CreateTenant(Guid TenantId, string Name, string Plan, DateTimeOffset Now) : TenantCommand;

public sealed record ChangePlan(string Plan, DateTimeOffset Now) : TenantCommand;

public sealed record IssueApiKey(Guid KeyId, string Prefix, string KeyHash, DateTimeOffset Now) : TenantCommand;

public sealed record RevokeApiKey(Guid KeyId, DateTimeOffset Now) : TenantCommand;
