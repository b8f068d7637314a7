using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connections.Commands.RotateCredentialKeys;

/// <param name="CurrentKeyId">The key-encryption key every data key should now be wrapped under.</param>
/// <param name="Rewrapped">Data keys moved onto it by this call.</param>
/// <param name="ChangedConcurrently">Credentials a writer replaced while this call worked on them (the writer's version stands).</param>
/// <param name="Unreadable">Credentials under a key the provider does not have: they stay unreadable until that key is configured again.</param>
/// <param name="Remaining">Credentials not under the current key after this call: 0 means a previous key may be removed (ADR 0014).</param>
public sealed record CredentialKeysRotatedDto(string CurrentKeyId, int Rewrapped, int ChangedConcurrently, int Unreadable, long Remaining);

/// <summary>
/// Admin: re-wraps every credential's data key that is not under the current key-encryption key,
/// in batches. Not an <c>ICommand</c>: each batch commits on its own, so a long rotation holds no
/// transaction open, readers and writers carry on, and an interrupted one resumes where it stopped.
/// </summary>
public sealed record RotateCredentialKeysCommand(int BatchSize = RotateCredentialKeysCommand.DefaultBatchSize) : IRequest<CredentialKeysRotatedDto>
{
    public const int DefaultBatchSize = 500;
}

public sealed class RotateCredentialKeysCommandValidator : AbstractValidator<RotateCredentialKeysCommand>
{
    public RotateCredentialKeysCommandValidator()
    {
        RuleFor(c => c.BatchSize).InclusiveBetween(1, 10_000);
    }
}

public sealed class RotateCredentialKeysCommandHandler(IKeyEncryptionKeyProvider keys, ICredentialKeyRotation rotation,
    ILogger<RotateCredentialKeysCommandHandler> logger) : IRequestHandler<RotateCredentialKeysCommand, CredentialKeysRotatedDto>
{
    public async Task<CredentialKeysRotatedDto> Handle(RotateCredentialKeysCommand request, CancellationToken cancellationToken)
    {
        var currentKeyId = await keys.GetCurrentKeyIdAsync(cancellationToken);
        int rewrapped = 0, changed = 0, unreadable = 0;
        Guid? after = null;
        // One pass in connection id order: a credential that cannot be re-wrapped is passed, not retried forever.
        while (true)
        {
            var batch = await rotation.RewrapBatchAsync(after, request.BatchSize, cancellationToken);
            rewrapped += batch.Rewrapped;
            changed += batch.ChangedConcurrently;
            unreadable += batch.Unreadable;
            after = batch.Last;
            if (batch.Selected < request.BatchSize) break;
        }
        var remaining = (await rotation.CountByKeyAsync(cancellationToken)).Where(k => k.KeyId != currentKeyId).Sum(k => k.Credentials);
        logger.LogInformation(
            "Credential key rotation: {Rewrapped} data keys re-wrapped under {KeyId}, {Changed} changed concurrently, {Unreadable} unreadable, {Remaining} not under it",
            rewrapped, currentKeyId, changed, unreadable, remaining);
        return new CredentialKeysRotatedDto(currentKeyId, rewrapped, changed, unreadable, remaining);
    }
}
