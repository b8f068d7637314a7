using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;
using MediatR;

namespace Integrations.Application.Apps.Commands.RejectApp;

/// <summary>The app stays private; the reason is recorded and shown to the developer.</summary>
public sealed record RejectAppCommand(Guid AppId, string? Reason) : ICommand<AppDto>;

public sealed class RejectAppCommandValidator : AbstractValidator<RejectAppCommand>
{
    public RejectAppCommandValidator() =>
        RuleFor(c => c.Reason).Custom((reason, context) =>
        {
            if (string.IsNullOrWhiteSpace(reason) || reason.Length > 2000)
                context.AddFailure(AppRules.Failure("reason", "required", "reason is required (up to 2000 characters)."));
        });
}

public sealed class RejectAppCommandHandler(AppAggregate apps, IClock clock) : IRequestHandler<RejectAppCommand, AppDto>
{
    public async Task<AppDto> Handle(RejectAppCommand request, CancellationToken cancellationToken)
    {
        var loaded = await apps.LoadAsync(request.AppId, cancellationToken);
        if (loaded.State.ReviewStatus != AppReviewStatuses.Pending) throw new ConflictException("not_pending", "Only a submitted app can be rejected.");
        return AppDto.From(AppAggregate.Listing(await apps.HandleAsync(loaded, new Domain.Marketplace.RejectApp(request.Reason!, clock.UtcNow), cancellationToken)));
    }
}
