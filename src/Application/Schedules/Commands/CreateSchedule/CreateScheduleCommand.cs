using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Connections;
using Integrations.Domain.Scheduling;
using MediatR;

namespace Integrations.Application.Schedules.Commands.CreateSchedule;

/// <summary>
/// A schedule of the tenant: <see cref="Job"/> runs on <see cref="Cron"/> in <see cref="TimeZone"/>,
/// or every <see cref="IntervalSeconds"/> (at least 30), through <see cref="ConnectionId"/> when given.
/// </summary>
public sealed record CreateScheduleCommand(
    Guid TenantId, Guid? ConnectionId, string? Name, ScheduleJobInput? Job, string? Cron, string? TimeZone, int? IntervalSeconds, int? MaxRunSeconds,
    bool? Paused, [property: JsonIgnore] string? IdempotencyKey = null) : ICommand<ScheduleDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => TenantId.ToString();
}

public sealed class CreateScheduleCommandValidator : AbstractValidator<CreateScheduleCommand>
{
    public CreateScheduleCommandValidator()
    {
        RuleFor(c => c.Job).NotNull().WithMessage("job is required: {\"kind\": \"http_poll\", \"config\": {…}}.");
        RuleFor(c => c.Job!.Kind).NotEmpty().OverridePropertyName("job.kind").WithMessage("job.kind is required.").When(c => c.Job is not null);
        RuleFor(c => c.Job!.Config).JobConfig().OverridePropertyName("job.config").When(c => c.Job is not null);
        RuleFor(c => c).Must(c => (c.Cron is null) != (c.IntervalSeconds is null)).OverridePropertyName("cron").WithErrorCode("invalid_timing")
            .WithMessage("Give either cron (with time_zone) or interval_seconds.");
        RuleFor(c => c.Cron).CronExpression();
        RuleFor(c => c.TimeZone).NotEmpty().When(c => c.Cron is not null).WithMessage("time_zone is required with cron (an IANA name, or UTC).");
        RuleFor(c => c.TimeZone).TimeZone();
        RuleFor(c => c.IntervalSeconds).Interval();
        RuleFor(c => c.MaxRunSeconds).MaxRunSeconds();
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
    }
}

public sealed class CreateScheduleCommandHandler(ScheduleAggregate schedules, AggregateStore aggregates, IScheduleReadModel readModel,
    ScheduleTimes times, IClock clock) : IRequestHandler<CreateScheduleCommand, ScheduleDto>
{
    public async Task<ScheduleDto> Handle(CreateScheduleCommand request, CancellationToken cancellationToken)
    {
        ConnectionState? connection = request.ConnectionId is { } connectionId
            ? await schedules.ConnectionAsync(request.TenantId, connectionId, cancellationToken)
            : null;
        var (kind, config) = await schedules.CheckJobAsync(request.Job!.Kind!, ScheduleInputs.ConfigOrEmpty(request.Job.Config), connection, cancellationToken);
        var id = Guid.CreateVersion7();
        var now = clock.UtcNow;
        var timing = new ScheduleTiming(request.Cron?.Trim(), request.Cron is null ? null : request.TimeZone?.Trim(), request.IntervalSeconds);
        var firstDue = times.NextDue(id, timing, now) ?? throw NeverOccurs();
        await aggregates.StartAsync(ScheduleDecider.Decider, ScheduleDecider.StreamId(id),
            new Domain.Scheduling.CreateSchedule(id, request.TenantId, request.ConnectionId, connection?.Provider, request.Name, kind, config, timing,
                request.MaxRunSeconds, firstDue, now), request.TenantId, cancellationToken);
        if (request.Paused == true) await schedules.HandleAsync(request.TenantId, id, _ => new Domain.Scheduling.PauseSchedule(now), cancellationToken);
        // The inline projection ran in this transaction: the read model shows the schedule.
        return (await readModel.FindAsync(request.TenantId, id, cancellationToken))!;
    }

    public static Common.Exceptions.ValidationException NeverOccurs() =>
        new([new Common.Exceptions.ValidationError("cron", "invalid_cron", "cron never occurs after now (e.g. a 30th of February).")]);
}
