using System.ComponentModel;
using System.Text.Json;
using Integrations.Api.Authentication;
using Integrations.Api.Listing;
using Integrations.Api.OpenApi;
using Integrations.Application.Schedules;
using Integrations.Application.Schedules.Commands.CreateSchedule;
using Integrations.Application.Schedules.Commands.DeleteSchedule;
using Integrations.Application.Schedules.Commands.PauseSchedule;
using Integrations.Application.Schedules.Commands.ResumeSchedule;
using Integrations.Application.Schedules.Commands.RunScheduleNow;
using Integrations.Application.Schedules.Commands.UpdateSchedule;
using Integrations.Application.Schedules.Queries.GetSchedule;
using Integrations.Application.Schedules.Queries.ListScheduleRuns;
using Integrations.Application.Schedules.Queries.ListSchedules;
using Microsoft.AspNetCore.Mvc;

namespace Integrations.Api.Endpoints;

public sealed record ScheduleJobRequest(
    [property: Description("The job kind, e.g. http_poll.")] string? Kind,
    [property: Description("The job's configuration; for http_poll: path or url, items_path, cursor_field, id_field, cursor_param.")] JsonElement? Config = null);

public sealed record CreateScheduleRequest(
    ScheduleJobRequest? Job,
    [property: Description("A cron expression: five fields, or six with seconds first. Give it with time_zone, or give interval_seconds.")] string? Cron = null,
    [property: Description("The IANA time zone the cron expression is read in, e.g. Europe/Amsterdam.")] string? TimeZone = null,
    [property: Description("Every this many seconds (at least 30), instead of cron.")] int? IntervalSeconds = null,
    [property: Description("The connection the job acts through (its credentials and its provider's quota).")] Guid? ConnectionId = null,
    string? Name = null,
    [property: Description("A run taking longer is cancelled and recorded timed_out (default Schedules:DefaultMaxRunTime).")] int? MaxRunSeconds = null,
    [property: Description("Create it paused.")] bool? Paused = null);

/// <summary>A JSON merge patch of a schedule: absent or null leaves a field as it is (an empty name removes it).</summary>
public sealed record UpdateScheduleRequest(
    string? Name = null,
    ScheduleJobRequest? Job = null,
    string? Cron = null,
    string? TimeZone = null,
    int? IntervalSeconds = null,
    int? MaxRunSeconds = null);

/// <summary>Schedules and their runs (docs/schedules.md).</summary>
public static class ScheduleEndpoints
{
    private static readonly string[] NotFound = ["schedule_not_found", "tenant_not_found"];

    private static readonly string[] Invalid = ["validation_failed", "invalid_schedule", "unknown_job_kind"];

    public static IEndpointRouteBuilder MapScheduleEndpoints(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/v1/schedules").WithTags("Schedules")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        schedules.MapPost("/", async (CreateScheduleRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, [AsParameters] TenantRequest request) =>
            {
                var created = await request.Send(new CreateScheduleCommand(request.ResolveTenant(), body.ConnectionId, body.Name, Job(body.Job), body.Cron,
                    body.TimeZone, body.IntervalSeconds, body.MaxRunSeconds, body.Paused, idempotencyKey));
                return Results.Created($"/api/v1/schedules/{created.Id}", created);
            })
            .WithName("createSchedule").WithSummary("Create a schedule")
            .WithDescription("Runs the job on a cron expression in a time zone, or every interval_seconds (at least 30). Occurrences shared by many " +
                             "schedules are spread over Schedules:JitterWindow. Honours Idempotency-Key.")
            .Produces<ScheduleDto>(StatusCodes.Status201Created)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "idempotency_key_reused")
            .ProducesError(StatusCodes.Status422UnprocessableEntity, Invalid)
            .WithRequestExample(new
            {
                name = "New orders every night", connection_id = "0193f0a0-0000-7000-8000-0000000000c1", cron = "0 2 * * *", time_zone = "Europe/Amsterdam",
                job = new { kind = "http_poll", config = new { path = "/orders", items_path = "data", cursor_field = "updated_at", cursor_param = "updated_since" } },
            });

        schedules.MapGet("/", async (ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListSchedulesQuery(request.ResolveTenant(), list.Query)), request.Http))
            .WithListConventions<ScheduleDto>(ListSchedulesQuery.Spec, "tenant_id")
            .WithName("listSchedules").WithSummary("List schedules")
            .WithDescription("Newest first by default; status=active|paused, connection_id.")
            .ProducesError(StatusCodes.Status404NotFound, "tenant_not_found");

        schedules.MapGet("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new GetScheduleQuery(request.ResolveTenant(), id))))
            .WithName("getSchedule").WithSummary("Retrieve a schedule")
            .Produces<ScheduleDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, NotFound);

        schedules.MapPatch("/{id:guid}", async (Guid id, UpdateScheduleRequest body, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new UpdateScheduleCommand(request.ResolveTenant(), id, body.Name, Job(body.Job), body.Cron, body.TimeZone,
                    body.IntervalSeconds, body.MaxRunSeconds))))
            .WithName("updateSchedule").WithSummary("Update a schedule")
            .WithDescription("A JSON merge patch of name, job.config, the timing (cron with time_zone, or interval_seconds: the new one replaces the old " +
                             "and moves the next run) and max_run_seconds. The job kind and the connection stay.")
            .Produces<ScheduleDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, NotFound)
            .ProducesError(StatusCodes.Status422UnprocessableEntity, Invalid)
            .WithRequestExample(new { interval_seconds = 300 });

        schedules.MapDelete("/{id:guid}", async (Guid id, [AsParameters] TenantRequest request) =>
            {
                await request.Send(new DeleteScheduleCommand(request.ResolveTenant(), id));
                return Results.NoContent();
            })
            .WithName("deleteSchedule").WithSummary("Delete a schedule")
            .WithDescription("No run starts any more; a run in progress finishes.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesError(StatusCodes.Status404NotFound, NotFound);

        schedules.MapPost("/{id:guid}/pause", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new PauseScheduleCommand(request.ResolveTenant(), id))))
            .WithName("pauseSchedule").WithSummary("Pause a schedule")
            .WithDescription("No run starts until it is resumed; a run in progress finishes. Pausing a paused schedule changes nothing.")
            .Produces<ScheduleDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, NotFound);

        schedules.MapPost("/{id:guid}/resume", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new ResumeScheduleCommand(request.ResolveTenant(), id))))
            .WithName("resumeSchedule").WithSummary("Resume a schedule")
            .WithDescription("It runs again from its next occurrence after now; occurrences missed while paused are not caught up.")
            .Produces<ScheduleDto>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, NotFound);

        schedules.MapPost("/{id:guid}/run", async (Guid id, [AsParameters] TenantRequest request) =>
                Results.Accepted($"/api/v1/schedules/{id}/runs", await request.Send(new RunScheduleNowCommand(request.ResolveTenant(), id))))
            .WithName("runScheduleNow").WithSummary("Run a schedule now")
            .WithDescription("One run as soon as a runner has room (also while paused); after the run in progress, if there is one. The regular occurrences stay.")
            .Produces<ScheduleDto>(StatusCodes.Status202Accepted)
            .ProducesError(StatusCodes.Status404NotFound, NotFound);

        schedules.MapGet("/{id:guid}/runs", async (Guid id, ListRequest list, [AsParameters] TenantRequest request) =>
                list.Page(await request.Send(new ListScheduleRunsQuery(request.ResolveTenant(), id, list.Query)), request.Http))
            .WithListConventions<ScheduleRunDto>(ListScheduleRunsQuery.Spec, "tenant_id")
            .WithName("listScheduleRuns").WithSummary("List a schedule's runs")
            .WithDescription("Newest first by default: each run's outcome (running, succeeded, failed, timed_out, lost), start, end, duration, records read " +
                             "and written, and the checkpoint it left; outcome=… filters.")
            .ProducesError(StatusCodes.Status404NotFound, NotFound);

        return app;
    }

    private static ScheduleJobInput? Job(ScheduleJobRequest? job) => job is null ? null : new ScheduleJobInput(job.Kind, job.Config);
}
