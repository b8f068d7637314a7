using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Apps.Commands.UpdateApp;

/// <summary>
/// A JSON merge patch of an app's listing and redirect URIs: null leaves a field unchanged; an empty
/// <see cref="HomepageUrl"/> or <see cref="LogoUrl"/> removes it, an empty <see cref="ScreenshotUrls"/>
/// removes the screenshots. Scopes are not patchable: a grant's consent must never widen behind the
/// member's back, so an app that needs more scopes is registered anew.
/// </summary>
public sealed record UpdateAppCommand(
    Guid OwnerTenantId, Guid AppId, string? Name, string? Description, string? HomepageUrl, string? LogoUrl,
    IReadOnlyList<string>? ScreenshotUrls, IReadOnlyList<string>? RedirectUris, string? Category = null) : ICommand<AppDto>;

public sealed class UpdateAppCommandValidator : AbstractValidator<UpdateAppCommand>
{
    public UpdateAppCommandValidator()
    {
        RuleFor(c => c.Name).AppName().When(c => c.Name is not null);
        RuleFor(c => c.Description).AppDescription();
        RuleFor(c => c.HomepageUrl).HttpsUrl("homepage_url", emptyRemoves: true);
        RuleFor(c => c.LogoUrl).HttpsUrl("logo_url", emptyRemoves: true);
        RuleFor(c => c.ScreenshotUrls).ScreenshotUrls();
        RuleFor(c => c.RedirectUris).RedirectUris().When(c => c.RedirectUris is not null);
        RuleFor(c => c.Category).AppCategory();
    }
}

public sealed class UpdateAppCommandHandler(AppAggregate apps, IClock clock) : IRequestHandler<UpdateAppCommand, AppDto>
{
    public async Task<AppDto> Handle(UpdateAppCommand request, CancellationToken cancellationToken)
    {
        var loaded = await apps.LoadOwnedAsync(request.OwnerTenantId, request.AppId, cancellationToken);
        var app = await apps.HandleAsync(loaded, new Domain.Marketplace.UpdateApp(request.Name, request.Description, request.HomepageUrl, request.LogoUrl,
            request.ScreenshotUrls, request.RedirectUris, clock.UtcNow, request.Category), cancellationToken);
        return AppDto.From(AppAggregate.Listing(app));
    }
}
