using System.Text.Json;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connections.Queries.GetConnection;
using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Commands.CreateRoute;
using Integrations.Application.Connectors.Commands.ReplayConnectorCall;
using Integrations.Application.Providers.Queries.ListProviders;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// A connection's new route (POST /api/v1/connections/{id}/routes: which events go where, with an
/// optional filter condition and the action's settings as JSON) and replaying a dead-lettered call
/// (POST …/calls/{call_id}/replay).
/// </summary>
public static class ConsoleRoutePages
{
    private const string DefaultSettings = """{"method": "POST", "path": "/"}""";

    private sealed record RouteForm(string Name, IReadOnlyList<string> EventTypes, string Action, string Settings, string FilterPath, string FilterOp, string FilterValue);

    public static RouteGroupBuilder MapRoutePages(this RouteGroupBuilder console)
    {
        console.MapGet("/connections/{id:guid}/routes/new", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
            await Form(http, mediator, id, null, new RouteForm("", [], "", DefaultSettings, "", "eq", ""), ct));
        console.MapPost("/connections/{id:guid}/routes", Create);
        console.MapPost("/connections/{id:guid}/calls/{callId:guid}/replay", async (Guid id, Guid callId, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new ReplayConnectorCallCommand(http.User.Tenant(), id, callId), ct);
            return SeeOther(http, $"/console/connections/{id}/calls/{callId}?replayed=1");
        });
        return console;
    }

    /// <summary>The Replay button of a call's page, for a dead-lettered call, and the notice after a replay.</summary>
    internal static string ReplayButton(HttpContext http, Guid connectionId, Guid callId, string status) =>
        (ConsoleWebhookPages.Param(http, "replayed") == "1" ? "<p class=\"notice\" id=\"replayed\" role=\"status\">The call was queued again.</p>" : "")
        + (status == "failed" ? PostButton(http, $"/console/connections/{connectionId}/calls/{callId}/replay", "Replay call", "replay-call") : "");

    private static async Task<IResult> Create(Guid id, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var values = new RouteForm(form["name"].ToString().Trim(), form["event_types"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList(),
            form["action"].ToString(), form["settings"].ToString(), form["filter_path"].ToString().Trim(), form["filter_op"].ToString(), form["filter_value"].ToString().Trim());
        try
        {
            var filter = values.FilterPath.Length == 0 ? null
                : new[] { new RouteConditionInput(values.FilterPath, values.FilterOp, values.FilterValue.Length == 0 ? null : Json("filter_value", values.FilterValue)) };
            await mediator.Send(new CreateRouteCommand(http.User.Tenant(), id, values.Name.Length == 0 ? null : values.Name, values.EventTypes, filter,
                values.Action, Json("settings", values.Settings.Trim().Length == 0 ? "{}" : values.Settings), true), ct);
            return SeeOther(http, $"/console/connections/{id}#routes-title");
        }
        catch (ValidationException ex)
        {
            return await Form(http, mediator, id, string.Join(" ", ex.Errors.Select(e => e.Message)), values, ct);
        }
        catch (DomainException ex)
        {
            return await Form(http, mediator, id, ex.Message, values, ct);
        }
    }

    private static JsonElement Json(string field, string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ValidationException([new ValidationError(field, "invalid_json", $"{(field == "settings" ? "Settings" : "The filter value")} must be JSON, e.g. {(field == "settings" ? DefaultSettings : "\"DE\" or 1000")}.")]);
        }
    }

    private static async Task<IResult> Form(HttpContext http, IMediator mediator, Guid id, string? error, RouteForm values, CancellationToken ct)
    {
        var connection = await mediator.Send(new GetConnectionQuery(http.User.Tenant(), id), ct);
        var actions = (await mediator.Send(new ListProvidersQuery(), ct)).FirstOrDefault(p => p.Id == connection.Provider)?.Actions ?? [];
        var catalog = await ConsoleWebhookPages.Catalog(mediator, ct);
        string Options(IEnumerable<string> all, string chosen) => string.Join("", all.Select(a => $"<option value=\"{E(a)}\"{(a == chosen ? " selected" : "")}>{E(a)}</option>"));
        return Page(http, "New route", $"""
            <p><a href="/console/connections/{id}">← Connection</a></p>
            <h1>New route for {E(connection.DisplayName ?? connection.Provider)}</h1>
            <p class="muted">Events of the chosen types that pass the filter are sent to the action, one call per event, from now on.</p>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            <form method="post" action="/console/connections/{id}/routes" id="route-form" class="stack">{Antiforgery(http)}
              <label for="route-name">Name (optional)</label><input type="text" id="route-name" name="name" maxlength="200" value="{E(values.Name)}">
              {ConsoleWebhookPages.EventTypeFields(catalog, values.EventTypes.ToHashSet())}
              <label for="route-action">Action</label><select id="route-action" name="action">{Options(actions, values.Action)}</select>
              <label for="route-settings">Settings (JSON; for http.request: method, path or url, headers, body)</label>
              <textarea id="route-settings" name="settings" rows="5" spellcheck="false">{E(values.Settings)}</textarea>
              <fieldset><legend>Filter (optional): only events where</legend>
                <label for="filter-path">Path, e.g. data.amount_cents</label><input type="text" id="filter-path" name="filter_path" value="{E(values.FilterPath)}">
                <label for="filter-op">Operator</label><select id="filter-op" name="filter_op">{Options(RouteFilter.Operators, values.FilterOp)}</select>
                <label for="filter-value">Value (JSON)</label><input type="text" id="filter-value" name="filter_value" value="{E(values.FilterValue)}">
              </fieldset>
              <button type="submit" id="create-route">Create route</button>
            </form>
            """, error is null ? 200 : 422);
    }
}
