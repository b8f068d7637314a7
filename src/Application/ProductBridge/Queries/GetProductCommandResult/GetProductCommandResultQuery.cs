using System.Diagnostics;
using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.ProductBridge.Queries.GetProductCommandResult;

/// <summary>The wire values of <see cref="ProductCommandResultDto.Status"/>.</summary>
public static class ProductCommandResultStatuses
{
    public const string Answered = "answered";
    public const string Pending = "pending";
}

/// <param name="Status">answered: <paramref name="Event"/> is the product's answer; pending: none yet.</param>
public sealed record ProductCommandResultDto(Guid CommandId, string Status, EventDto? Event);

/// <summary>
/// The product's answer to a command: the tenant's first event whose data names it as command_id.
/// With <see cref="WaitSeconds"/>, waits that long for it to arrive (a long poll), so an automation
/// tool's "create entity" action can return the created record, or say it is still pending.
/// </summary>
public sealed record GetProductCommandResultQuery(Guid TenantId, Guid CommandId, int? WaitSeconds) : IQuery<ProductCommandResultDto>
{
    public const int MaxWaitSeconds = 30;

    /// <summary>How often a waiting request looks again: a request holds no connection in between.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
}

public sealed class GetProductCommandResultQueryValidator : AbstractValidator<GetProductCommandResultQuery>
{
    public GetProductCommandResultQueryValidator()
    {
        RuleFor(q => q.TenantId).NotEmpty();
        RuleFor(q => q.WaitSeconds).InclusiveBetween(0, GetProductCommandResultQuery.MaxWaitSeconds).WithErrorCode("out_of_range").OverridePropertyName("wait");
    }
}

public sealed class GetProductCommandResultQueryHandler(IProductCommandReadModel commands, IEventReadModel events)
    : IRequestHandler<GetProductCommandResultQuery, ProductCommandResultDto>
{
    public async Task<ProductCommandResultDto> Handle(GetProductCommandResultQuery request, CancellationToken cancellationToken)
    {
        _ = await commands.FindAsync(request.TenantId, request.CommandId, cancellationToken)
            ?? throw new NotFoundException("product_command_not_found", "No such product command.");
        var waited = Stopwatch.StartNew();
        var wait = TimeSpan.FromSeconds(request.WaitSeconds ?? 0);
        for (;;)
        {
            if (await events.FindAnswerAsync(request.TenantId, request.CommandId, cancellationToken) is { } answer)
                return new ProductCommandResultDto(request.CommandId, ProductCommandResultStatuses.Answered, answer);
            var left = wait - waited.Elapsed;
            if (left <= TimeSpan.Zero) return new ProductCommandResultDto(request.CommandId, ProductCommandResultStatuses.Pending, null);
            await Task.Delay(left < GetProductCommandResultQuery.PollInterval ? left : GetProductCommandResultQuery.PollInterval, cancellationToken);
        }
    }
}
