using System.Text.Json;
using FluentValidation;
using Integrations.Domain.Scheduling;

namespace Integrations.Application.Schedules;

/// <summary>The job a request names: a kind and its configuration (a JSON object the job checks).</summary>
public sealed record ScheduleJobInput(string? Kind, JsonElement? Config);

/// <summary>The rules schedule requests share: cron expressions, time zones, intervals and run times.</summary>
public static class ScheduleInputs
{
    public const int MaxConfigBytes = 64 * 1024;

    public static IRuleBuilderOptions<T, string?> CronExpression<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(cron => cron is null || ScheduleTimes.ParseCron(cron, out _) is not null).WithErrorCode("invalid_cron")
            .WithMessage(c => "cron is not a valid cron expression: five fields (minute hour day-of-month month day-of-week), or six with seconds first, " +
                              "e.g. \"0 2 * * *\" for 02:00 every day.");

    public static IRuleBuilderOptions<T, string?> TimeZone<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(zone => zone is null || ScheduleTimes.FindZone(zone) is not null).WithErrorCode("invalid_time_zone")
            .WithMessage("time_zone is not a known IANA time zone (e.g. Europe/Amsterdam, America/New_York, UTC).");

    public static IRuleBuilderOptions<T, int?> Interval<T>(this IRuleBuilder<T, int?> rule) =>
        rule.Must(s => s is null or >= ScheduleTiming.MinIntervalSeconds).WithErrorCode("out_of_range")
            .WithMessage($"interval_seconds must be at least {ScheduleTiming.MinIntervalSeconds}.");

    public static IRuleBuilderOptions<T, int?> MaxRunSeconds<T>(this IRuleBuilder<T, int?> rule) =>
        rule.Must(s => s is null or >= 1 and <= ScheduleDecider.MaxRunSecondsLimit).WithErrorCode("out_of_range")
            .WithMessage($"max_run_seconds must be between 1 and {ScheduleDecider.MaxRunSecondsLimit}.");

    public static IRuleBuilderOptions<T, JsonElement?> JobConfig<T>(this IRuleBuilder<T, JsonElement?> rule) =>
        rule.Must(c => c is null || c.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Undefined).WithErrorCode("invalid_config")
            .WithMessage("job.config must be a JSON object.")
            .Must(c => c is null || c.Value.ValueKind == JsonValueKind.Undefined || System.Text.Encoding.UTF8.GetByteCount(c.Value.GetRawText()) <= MaxConfigBytes)
            .WithErrorCode("invalid_config").WithMessage($"job.config may be at most {MaxConfigBytes / 1024} KiB.");

    public static JsonElement ConfigOrEmpty(JsonElement? config) =>
        config is { ValueKind: JsonValueKind.Object } value ? value : JsonDocument.Parse("{}").RootElement.Clone();
}
