using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections.Credentials;
using MediatR;

namespace Integrations.Application.Connections.Queries.GetCredentialKeys;

/// <param name="Current">Whether new credentials are wrapped under it.</param>
public sealed record CredentialKeyDto(string KeyId, bool Current, long Credentials);

/// <param name="Data">Every key that holds credentials, and the current key (even with none), the current one first.</param>
public sealed record CredentialKeysDto(string CurrentKeyId, long Remaining, IReadOnlyList<CredentialKeyDto> Data);

/// <summary>Admin: which key-encryption keys the stored credentials are under (before removing an old key, its count must be 0).</summary>
public sealed record GetCredentialKeysQuery : IQuery<CredentialKeysDto>;

public sealed class GetCredentialKeysQueryHandler(IKeyEncryptionKeyProvider keys, ICredentialKeyRotation rotation)
    : IRequestHandler<GetCredentialKeysQuery, CredentialKeysDto>
{
    public async Task<CredentialKeysDto> Handle(GetCredentialKeysQuery request, CancellationToken cancellationToken)
    {
        var currentKeyId = await keys.GetCurrentKeyIdAsync(cancellationToken);
        var usage = await rotation.CountByKeyAsync(cancellationToken);
        var data = usage.Select(u => new CredentialKeyDto(u.KeyId, u.KeyId == currentKeyId, u.Credentials)).ToList();
        if (!data.Any(k => k.Current)) data.Add(new CredentialKeyDto(currentKeyId, true, 0));
        return new CredentialKeysDto(currentKeyId, data.Where(k => !k.Current).Sum(k => k.Credentials),
            data.OrderByDescending(k => k.Current).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToList());
    }
}
