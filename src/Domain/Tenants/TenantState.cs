namespace Integrations.Domain.Tenants;

public sealed record ApiKeyState(Guid KeyId, string Prefix, bool Revoked);

public sealed record TenantState(
    Guid TenantId,
    string Name,
    string Plan,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<Guid, ApiKeyState> ApiKeys)
{
    public static readonly TenantState None = new(Guid.Empty, "", "", DateTimeOffset.MinValue, new Dictionary<Guid, ApiKeyState>());

    public bool Exists => TenantId != Guid.Empty;
}
