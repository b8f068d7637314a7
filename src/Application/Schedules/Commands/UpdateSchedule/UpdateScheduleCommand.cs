using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Schedules.Commands.CreateSchedule;
using Integrations.Domain.Scheduling;
using MediatR;

namespace Integrations.Application.Schedules.Commands.UpdateSchedule;

/// <summary>
/// A JSON merge patch of a schedule: null (or absent) leaves a field as it is; an empty
/// <see cref="Name"/> removes the name. A new timing replaces the old one whole (cron with its time
/// zone, or an interval) and moves the next run; a new job configuration is checked by the job. The
/// job kind and the connection stay.
/// </summary>
public sealed record UpdateScheduleCommand(
    Guid TenantId, Guid ScheduleId, string? Name, ScheduleJobInput? Job, string? Cron, string? TimeZone, int? IntervalSeconds, int? MaxRunSeconds)
    : ICommand<ScheduleDto>;

public sealed class UpdateScheduleCommandValidator : AbstractValidator<UpdateScheduleCommand>
{
    public UpdateScheduleCommandValidator()
    {
        RuleFor(c => c.Job!.Config).JobConfig().OverridePropertyName("job.config").When(c => c.Job is not null);
        RuleFor(c => c).Must(c => c.Cron is null || c.IntervalSeconds is null).OverridePropertyName("cron").WithErrorCode("invalid_timing")
            .WithMessage("Give either cron (with time_zone) or interval_seconds, not both.");
        RuleFor(c => c.Cron).CronExpression();
        RuleFor(c => c.TimeZone).NotEmpty().When(c => c.Cron is not null).WithMessage("time_zone is required with cron (an IANA name, or UTC).");
        RuleFor(c => c.TimeZone).TimeZone();
        RuleFor(c => c.IntervalSeconds).Interval();
        RuleFor(c => c.MaxRunSeconds).MaxRunSeconds();
    }
}

public sealed class UpdateScheduleCommandHandler(ScheduleAggregate schedules, IScheduleReadModel readModel, ScheduleTimes times, IClock clock)
    : IRequestHandler<UpdateScheduleCommand, ScheduleDto>
{
    public async Task<ScheduleDto> Handle(UpdateScheduleCommand request, CancellationToken cancellationToken)
    {
        var state = (await schedules.LoadAsync(request.TenantId, request.ScheduleId, cancellationToken)).State;
        if (request.Job?.Kind is { } kind && kind != state.JobKind)
            throw new Common.Exceptions.ValidationException([new("job.kind", "immutable", "A schedule's job kind cannot change; create another schedule.")]);
        string? config = null;
        if (request.Job?.Config is not null)
        {
            var connection = state.ConnectionId is { } connectionId ? await schedules.ConnectionAsync(request.TenantId, connectionId, cancellationToken) : null;
            config = (await schedules.CheckJobAsync(state.JobKind, ScheduleInputs.ConfigOrEmpty(request.Job.Config), connection, cancellationToken)).ConfigJson;
        }
        var now = clock.UtcNow;
        ScheduleTiming? timing = request.Cron is not null || request.IntervalSeconds is not null
            ? new ScheduleTiming(request.Cron?.Trim(), request.Cron is null ? null : request.TimeZone?.Trim(), request.IntervalSeconds)
            : null;
        DateTimeOffset? nextDue = timing is null ? null : times.NextDue(request.ScheduleId, timing, now) ?? throw CreateScheduleCommandHandler.NeverOccurs();
        await schedules.HandleAsync(request.TenantId, request.ScheduleId,
            _ => new Domain.Scheduling.UpdateSchedule(request.Name, config, timing, request.MaxRunSeconds, nextDue, now), cancellationToken);
        return (await readModel.FindAsync(request.TenantId, request.ScheduleId, cancellationToken))!;
    }
}
