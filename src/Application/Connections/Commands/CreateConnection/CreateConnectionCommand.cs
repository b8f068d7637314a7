using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using MediatR;

namespace Integrations.Application.Connections.Commands.CreateConnection;

/// <summary>A connection as created or reconnected: for oauth2_code, the URL to send the user to (valid once, until its expiry).</summary>
public sealed record ConnectionWithConnectUrlDto(ConnectionDto Connection, string? ConnectUrl, DateTimeOffset? ConnectUrlExpiresAt);

/// <param name="AuthKind">Null: the provider's first (the http provider and Jira offer a choice).</param>
/// <param name="CallbackBaseUrl">The platform's public base URL the provider redirects back to (the host decides it).</param>
public sealed record CreateConnectionCommand(
    Guid TenantId,
    string? Provider,
    string? AuthKind,
    string? DisplayName,
    IReadOnlyList<string>? Scopes,
    SuppliedCredentials? Credentials,
    ConnectionSettings? Settings,
    string? ReturnUrl,
    string CallbackBaseUrl,
    [property: JsonIgnore] string? IdempotencyKey = null) : ICommand<ConnectionWithConnectUrlDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class CreateConnectionCommandValidator : AbstractValidator<CreateConnectionCommand>
{
    public CreateConnectionCommandValidator(IProviderCatalog catalog, IUrlSafetyChecker urls)
    {
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.DisplayName).MaximumLength(ConnectionRules.MaxDisplayNameLength);
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
        RuleFor(c => c.Provider).Cascade(CascadeMode.Stop).NotEmpty()
            .Must(p => catalog.Find(p!) is not null).WithErrorCode("unknown_provider")
            .WithMessage(c => $"Unknown provider '{c.Provider}'. GET /api/v1/providers lists them.");
        RuleFor(c => c).CustomAsync(async (c, context, ct) =>
        {
            if (c.Provider is null || catalog.Find(c.Provider) is not { } provider) return;
            var failures = ConnectionRules.Check(provider, ConnectionRules.AuthKindOf(provider, c.AuthKind), c.Scopes, c.Credentials, c.Settings, c.ReturnUrl, catalog).ToList();
            if (failures.Count == 0) failures.AddRange(await ConnectionRules.CheckReachableAsync(c.Settings, urls, ct,
                provider.KeyIsEndpoint is null ? null : c.Credentials?.ApiKey, provider.SiteEndpoints is null ? "settings.base_url" : "settings.site"));
            foreach (var failure in failures) context.AddFailure(failure);
        });
    }
}

/// <summary>
/// Creates the connection's stream, then either starts the OAuth authorization (the answer carries
/// the connect_url) or verifies and stores the credentials given (the answer is a connected connection).
/// </summary>
public sealed class CreateConnectionCommandHandler(
    ConnectionAggregate connections,
    ConnectFlow flow,
    IConnectionReadModel readModel,
    ITenantReadModel tenants,
    IProviderCatalog catalog,
    IRequestContext context,
    IClock clock) : IRequestHandler<CreateConnectionCommand, ConnectionWithConnectUrlDto>
{
    public async Task<ConnectionWithConnectUrlDto> Handle(CreateConnectionCommand request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        var provider = catalog.Find(request.Provider!)!;
        var authKind = ConnectionRules.AuthKindOf(provider, request.AuthKind);
        var id = Guid.CreateVersion7();
        await connections.StartAsync(new Domain.Connections.CreateConnection(id, request.TenantId, provider.Id, authKind, request.DisplayName, context.Actor, clock.UtcNow,
            request.Settings), cancellationToken);

        ConnectUrl? connect = null;
        if (authKind == AuthKinds.OAuth2Code)
            connect = await flow.StartAsync(request.TenantId, id, provider, request.Scopes, request.ReturnUrl, request.CallbackBaseUrl, cancellationToken);
        else
            await flow.AuthorizeDirectAsync(request.TenantId, id, provider, authKind, request.Settings, request.Credentials!, request.Scopes, cancellationToken);

        var created = await readModel.FindAsync(request.TenantId, id, cancellationToken)
            ?? throw new InvalidOperationException($"Connection {id} is not in the read model after its creation.");
        return new ConnectionWithConnectUrlDto(created, connect?.Url, connect?.ExpiresAt);
    }
}
