using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using Integrations.Application.Providers;
using Integrations.Domain.Common;
using Integrations.Domain.Connections;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connections.Commands.CompleteConnectCallback;

/// <summary>What the browser came back with from the provider's authorization page (RFC 6749 §4.1.2), and to which provider's callback.</summary>
public sealed record CompleteConnectCallbackCommand(string Provider, string? State, string? Code, string? Error, string? ErrorDescription)
    : IRequest<ConnectCallbackOutcome>
{
    public override string ToString() => $"CompleteConnectCallbackCommand {{ Provider = {Provider}, Error = {Error} }}";
}

/// <param name="Connected">Whether the connection is authorized now.</param>
/// <param name="ConnectionId">Null when the state was not ours (unknown, used, another provider's): nothing was changed.</param>
/// <param name="Error">invalid_state, authorization_expired, access_denied (or another error of the provider), invalid_grant, account_mismatch …</param>
/// <param name="ReturnUrl">Where the caller asked the browser to go afterwards, if it did.</param>
public sealed record ConnectCallbackOutcome(bool Connected, Guid? ConnectionId, string? ProviderName, string? Error, string Message, string? ReturnUrl);

/// <summary>
/// The end of the authorization code flow. Three steps, so that the single-use code is exchanged
/// once whatever happens: (1) the state is taken, atomically and once (a replay, an unknown state
/// or another provider's finds nothing); (2) outside any transaction the code is exchanged with the
/// PKCE verifier and our client credentials, and the account is read with the new token from the
/// provider's health check (never from the caller); (3) in one unit of work, under the connection's
/// lock, the credential is stored and <see cref="ConnectionAuthorized"/> appended (the decider checks
/// the state again, its expiry and, on a reconnect, the account). Not a transactional command:
/// step 3 alone may be retried, and a failure at the provider is recorded as AuthorizationFailed.
/// </summary>
public sealed class CompleteConnectCallbackCommandHandler(
    IUnitOfWork unitOfWork,
    IConnectAuthorizations authorizations,
    ConnectionAggregate connections,
    ConnectFlow flow,
    ICredentialVault vault,
    IProviderClient providers,
    IProviderCatalog catalog,
    ISecretProtector protector,
    IClock clock,
    ILogger<CompleteConnectCallbackCommandHandler> logger) : IRequestHandler<CompleteConnectCallbackCommand, ConnectCallbackOutcome>
{
    public async Task<ConnectCallbackOutcome> Handle(CompleteConnectCallbackCommand request, CancellationToken ct)
    {
        var provider = catalog.Find(request.Provider);
        if (provider?.OAuth is null || string.IsNullOrEmpty(request.State) || request.State.Length > 512) return Invalid();
        var stateHash = ConnectFlow.StateHash(request.State);
        var pending = await unitOfWork.ExecuteAsync(token => authorizations.TakeAsync(stateHash, provider.Id, token), ct);
        if (pending is null) return Invalid();

        if (pending.ExpiresAt < clock.UtcNow)
            return await FailAsync(pending, "authorization_expired", "The connect link expired before the authorization came back; start again.", ct);
        if (request.Error is { Length: > 0 } error)
        {
            // The provider's words are shown to nobody but kept short in the audit log; the code is what callers branch on.
            var code = Clip(error, 64)!;
            return await FailAsync(pending, code, code == "access_denied" ? "The authorization was denied at the provider." : "The provider refused the authorization.", ct,
                Clip(request.ErrorDescription, 300));
        }
        if (string.IsNullOrEmpty(request.Code) || request.Code.Length > 2048)
            return await FailAsync(pending, "invalid_request", "The provider sent back no authorization code.", ct);

        TokenGrant grant;
        ExternalAccount account;
        try
        {
            var verifier = pending.ProtectedCodeVerifier is { } stored ? protector.Unprotect(stored) : null;
            grant = await providers.ExchangeCodeAsync(provider, request.Code, pending.RedirectUri, verifier, ct);
            var bearer = ConnectionCredentials.ForCall(ConnectionCredential.OAuth2(grant.AccessToken.Reveal(), null, null, []), provider, null);
            account = (await providers.CheckAsync(provider, null, bearer, ct)).Account;
        }
        catch (ProviderCallException failure)
        {
            return await FailAsync(pending, failure.Error, "The provider did not complete the authorization: " + failure.Message, ct);
        }

        var credential = ConnectionCredential.OAuth2(grant.AccessToken.Reveal(), grant.RefreshToken?.Reveal(), grant.AccessExpiresAt, grant.Scopes ?? pending.Scopes);
        try
        {
            await unitOfWork.ExecuteAsync(async token =>
            {
                await connections.LockAsync(pending.TenantId, pending.ConnectionId, token);
                var version = await vault.StoreAsync(pending.TenantId, pending.ConnectionId, credential, token);
                await flow.AuthorizedAsync(pending.TenantId, pending.ConnectionId, new CompleteAuthorization(stateHash, account.Id, account.Name,
                    credential.Scopes, version, credential.AccessExpiresAt, pending.Actor, clock.UtcNow), token);
                return true;
            }, ct);
        }
        catch (DomainException refused)
        {
            // Superseded by a newer connect link, or (on a reconnect) another account: the tokens just issued are of no use to us.
            await RevokeQuietlyAsync(provider, credential, ct);
            return await FailAsync(pending, refused.Code, refused.Message, ct);
        }
        logger.LogInformation("Connection {ConnectionId} ({Provider}) is authorized for account {Account}", pending.ConnectionId, provider.Id, account.Id);
        return new ConnectCallbackOutcome(true, pending.ConnectionId, provider.DisplayName, null, $"Connected to {provider.DisplayName}.", pending.ReturnUrl);
    }

    private async Task<ConnectCallbackOutcome> FailAsync(PendingAuthorization pending, string error, string message, CancellationToken ct, string? description = null)
    {
        try
        {
            await unitOfWork.ExecuteAsync(token => connections.HandleAsync(pending.TenantId, pending.ConnectionId,
                new FailAuthorization(pending.StateHash, error, description ?? message, clock.UtcNow), token), ct);
        }
        catch (Common.Exceptions.NotFoundException)
        {
            // Deleted meanwhile: nothing to record.
        }
        logger.LogInformation("The authorization of connection {ConnectionId} ({Provider}) failed: {Error}", pending.ConnectionId, pending.Provider, error);
        return new ConnectCallbackOutcome(false, pending.ConnectionId, pending.Provider, error, message, pending.ReturnUrl);
    }

    private async Task RevokeQuietlyAsync(ProviderDefinition provider, ConnectionCredential credential, CancellationToken ct)
    {
        try
        {
            await ConnectionCredentials.RevokeAsync(providers, provider, credential, ct);
        }
        catch (ProviderCallException)
        {
            // Best effort: the provider expires them anyway.
        }
    }

    private static ConnectCallbackOutcome Invalid() => new(false, null, null, "invalid_state",
        "This authorization link is not valid: it was already used, it belongs to another provider, or it never existed. Start the connection again.", null);

    private static string? Clip(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
}
