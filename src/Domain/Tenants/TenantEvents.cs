namespace Integrations.Domain.Tenants;

public interface ITenantEvent;

public sealed record TenantCreated(Guid TenantId, string Name, string Plan, DateTimeOffset CreatedAt) : ITenantEvent;

public sealed record TenantPlanChanged(Guid TenantId, string Plan, DateTimeOffset ChangedAt) : ITenantEvent;

/// <summary>Only the key's hash and display prefix are ever recorded; the key itself is shown once.</summary>
public sealed record ApiKeyIssued(Guid TenantId, Guid KeyId, string Prefix, string KeyHash, DateTimeOffset CreatedAt) : ITenantEvent;

public sealed record ApiKeyRevoked(Guid TenantId, Guid KeyId, DateTimeOffset RevokedAt) : ITenantEvent;
