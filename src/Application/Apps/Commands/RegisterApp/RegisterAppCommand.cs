using System.Buffers.Text;
using System.Security.Cryptography;
using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;
using MediatR;

namespace Integrations.Application.Apps.Commands.RegisterApp;

public sealed record RegisterAppCommand(
    Guid OwnerTenantId, string? Name, string? Description, string? HomepageUrl, string? LogoUrl, IReadOnlyList<string>? ScreenshotUrls,
    IReadOnlyList<string>? RedirectUris, IReadOnlyList<string>? Scopes, string? ClientType, IReadOnlyList<Guid>? AllowedTenantIds, string? Category = null)
    : ICommand<RegisteredAppDto>;

public sealed class RegisterAppCommandValidator : AbstractValidator<RegisterAppCommand>
{
    public RegisterAppCommandValidator()
    {
        RuleFor(c => c.Name).AppName();
        RuleFor(c => c.Description).AppDescription();
        RuleFor(c => c.HomepageUrl).HttpsUrl("homepage_url");
        RuleFor(c => c.LogoUrl).HttpsUrl("logo_url");
        RuleFor(c => c.ScreenshotUrls).ScreenshotUrls();
        RuleFor(c => c.RedirectUris).RedirectUris();
        RuleFor(c => c.Scopes).DeclaredScopes();
        RuleFor(c => c.Category).AppCategory();
        RuleFor(c => c.ClientType).Custom((type, context) =>
        {
            if (type is not ("public" or "confidential"))
                context.AddFailure(AppRules.Failure("client_type", "invalid_client_type", "client_type is public or confidential."));
        });
    }
}

/// <summary>A new app starts private (installable by the owner and the listed organisations); a confidential one gets its secret once, here.</summary>
public sealed class RegisterAppCommandHandler(AppAggregate apps, IClock clock) : IRequestHandler<RegisterAppCommand, RegisteredAppDto>
{
    public async Task<RegisteredAppDto> Handle(RegisterAppCommand request, CancellationToken cancellationToken)
    {
        var secret = request.ClientType == ClientTypes.Confidential ? OpaqueSecret.Generate("cs_") : null;
        var app = await apps.StartAsync(new Domain.Marketplace.RegisterApp(Guid.CreateVersion7(), request.OwnerTenantId,
            "app_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12)), request.Name!, request.Description, request.HomepageUrl, request.LogoUrl,
            request.ScreenshotUrls ?? [], request.RedirectUris!, request.Scopes!, request.ClientType!, secret is null ? null : OpaqueSecret.Hash(secret),
            request.AllowedTenantIds ?? [], clock.UtcNow, request.Category), cancellationToken);
        return new RegisteredAppDto(AppDto.From(AppAggregate.Listing(app)), secret);
    }
}
