using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.ExactOnline;

/// <summary>The Exact Online fake's part of the control API (<c>/_fake/exact/…</c>): the accounts and invoices made, and the limits.</summary>
public static class ExactControlApi
{
    /// <param name="DailyRemaining">Calls left of the day for every division, until <paramref name="DailyResetInSeconds"/> from now (then the day starts again).</param>
    public sealed record LimitsBody(int? MinutelyLimit, int? DailyLimit, int? DailyRemaining, int? DailyResetInSeconds);

    public static void MapExactControlApi(this WebApplication app)
    {
        var control = app.MapGroup(ControlApi.Prefix + "/exact");
        control.MapGet("/accounts", (ExactDivisions data, int? division) => Results.Ok(new { data = data.Accounts(division).Select(a => a.Fields) }));
        control.MapGet("/invoices", (ExactDivisions data, int? division) => Results.Ok(new { data = data.Invoices(division).Select(a => a.Fields) }));
        control.MapPut("/limits", async (HttpRequest request, ExactDivisions data, TimeProvider clock) =>
        {
            var (body, error) = await ControlApi.ReadAsync<LimitsBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (body.MinutelyLimit < 0 || body.DailyLimit < 0 || body.DailyRemaining < 0 || body.DailyResetInSeconds <= 0)
                return ControlApi.Invalid("limits must not be negative; daily_reset_in_seconds must be positive");
            var now = clock.GetUtcNow();
            data.SetDay(body.MinutelyLimit, body.DailyLimit, body.DailyRemaining, body.DailyResetInSeconds is { } seconds ? now.AddSeconds(seconds) : null, now);
            return Results.NoContent();
        });
    }
}
