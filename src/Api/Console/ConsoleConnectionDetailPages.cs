using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Listing;
using Integrations.Application.Connections;
using Integrations.Application.Connections.Commands.DeleteConnection;
using Integrations.Application.Connections.Commands.ReconnectConnection;
using Integrations.Application.Connections.Commands.TestConnection;
using Integrations.Application.Connections.Queries.GetConnection;
using Integrations.Application.Connections.Queries.ListConnectionAuditLog;
using Integrations.Application.Connectors.Queries.GetConnectorCall;
using Integrations.Application.Connectors.Queries.ListConnectorCalls;
using Integrations.Application.Connectors.Queries.ListRoutes;
using Integrations.Domain.Connections;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>One connection: its facts, Test now, Reconnect, Delete, the audit log, its routes and its calls with their attempts.</summary>
public static class ConsoleConnectionDetailPages
{
    public static RouteGroupBuilder MapConnectionDetailPages(this RouteGroupBuilder console)
    {
        console.MapGet("/connections/{id:guid}", (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) => Detail(http, mediator, id, null, ct));
        console.MapPost("/connections/{id:guid}/test", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var test = await mediator.Send(new TestConnectionCommand(http.User.Tenant(), id), ct);
            return await Detail(http, mediator, id, $"""
                <p id="test-result" role="status">Test at {Time(test.CheckedAt)}: {Badge(test.Result)} {E(test.Error)}
                {(test.Account is { } account ? $"account <strong>{E(account.Name ?? account.Id)}</strong>" : "")}</p>
                """, ct);
        });
        console.MapPost("/connections/{id:guid}/reconnect", Reconnect);
        console.MapPost("/connections/{id:guid}/delete", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DeleteConnectionCommand(http.User.Tenant(), id), ct);
            return SeeOther(http, "/console/connections");
        });
        console.MapGet("/connections/{id:guid}/calls/{callId:guid}", Call);
        return console;
    }

    private static async Task<IResult> Reconnect(Guid id, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var tenant = http.User.Tenant();
        var connection = await mediator.Send(new GetConnectionQuery(tenant, id), ct);
        var form = await http.Request.ReadFormAsync(ct);
        var oauth = connection.AuthKind == AuthKinds.OAuth2Code;
        try
        {
            var reconnected = await mediator.Send(new ReconnectConnectionCommand(tenant, id, null, ConsoleConnectionPages.Credentials(form, connection.AuthKind),
                oauth ? ConsoleConnectionPages.ReturnUrl(http) : null, Endpoints.ConnectionEndpoints.CallbackBase(http)), ct);
            return reconnected.ConnectUrl is { } url ? ConsoleConnectionPages.GoToProvider(http, reconnected.Connection, url) : SeeOther(http, $"/console/connections/{id}");
        }
        catch (ValidationException ex)
        {
            return await Detail(http, mediator, id, $"""<p class="error" id="error" role="alert">{E(string.Join(" ", ex.Errors.Select(e => e.Message)))}</p>""", ct, 422);
        }
    }

    /// <summary>The connection page; <paramref name="notice"/> is the answer of what was just done (a test, a refused reconnect).</summary>
    private static async Task<IResult> Detail(HttpContext http, IMediator mediator, Guid id, string? notice, CancellationToken ct, int status = 200)
    {
        var tenant = http.User.Tenant();
        var c = await mediator.Send(new GetConnectionQuery(tenant, id), ct);
        var self = $"/console/connections/{id}";
        var oauth = c.AuthKind == AuthKinds.OAuth2Code;
        var reconnect = $"""
            <form method="post" action="{self}/reconnect" id="reconnect-form" class="stack">
              {Antiforgery(http)}
              {(oauth ? "<p class=\"muted\">Authorize the same account again at the provider.</p>" : "<p class=\"muted\">New credentials, verified before they replace the current ones.</p>")}
              {ConsoleConnectionPages.CredentialFields("reconnect", c.AuthKind)}
              <button type="submit" id="reconnect">Reconnect</button>
            </form>
            """;
        return Page(http, c.DisplayName ?? c.Provider, $"""
            <p><a href="/console/connections">← Connections</a></p>
            <h1 id="connection-name">{E(c.DisplayName ?? c.Provider)}</h1>
            {notice}
            <dl class="facts">
              <dt>Provider</dt><dd id="provider">{E(c.Provider)} ({E(ConsoleConnectionPages.KindLabel(c.AuthKind))})</dd>
              <dt>Status</dt><dd id="status">{Badge(c.Status)} {E(c.DisconnectedReason)} {E(c.LastError)}</dd>
              <dt>Account</dt><dd id="account">{E(c.Account is null ? "—" : $"{c.Account.Name} ({c.Account.Id})")}</dd>
              <dt>Scopes</dt><dd>{E(c.Scopes.Count == 0 ? "—" : string.Join(" ", c.Scopes))}</dd>
              {(c.Settings?.BaseUrl is { } baseUrl ? $"<dt>Base URL</dt><dd>{E(baseUrl)}</dd>" : "")}
              <dt>Authorized</dt><dd>{Time(c.AuthorizedAt)}</dd>
              <dt>Token expires</dt><dd>{Time(c.Token.ExpiresAt)}{(c.Token.LastError is null ? "" : $", last refresh error: {E(c.Token.LastError)}")}</dd>
              <dt>Health</dt><dd id="health">last checked {Time(c.Health.LastCheckedAt)}, {c.Health.FailuresInARow} failures in a row{(c.Health.LastError is null ? "" : $" ({E(c.Health.LastError)})")}, next check {Time(c.Health.NextCheckAt)}</dd>
            </dl>
            <section aria-labelledby="manage-title"><h2 id="manage-title">Manage</h2><div class="actions">
              {PostButton(http, $"{self}/test", "Test now", "test-now")}
              {PostButton(http, $"{self}/delete", "Delete connection", "delete", "Delete this connection? Its tokens are revoked and its routes stop.", "danger")}
            </div>
            <h3>Reconnect</h3>{reconnect}</section>
            {await Routes(http, mediator, id, ct)}
            {await Calls(http, mediator, id, ct)}
            {await AuditLog(http, mediator, id, ct)}
            """, status);
    }

    private static async Task<string> Routes(HttpContext http, IMediator mediator, Guid id, CancellationToken ct)
    {
        var page = await mediator.Send(new ListRoutesQuery(http.User.Tenant(), id, ListQueryParser.Parse(ListRoutesQuery.Spec, new ListParameters("100", null))), ct);
        var rows = string.Join("\n", page.Data.Select(r => $"""
            <tr><td>{E(r.Name ?? "—")}</td><td>{E(string.Join(", ", r.EventTypes))}</td>
            <td>{E(r.Filter.Count == 0 ? "—" : string.Join(" and ", r.Filter.Select(f => $"{f.Path} {f.Op} {f.Value.GetRawText()}")))}</td>
            <td><code>{E(r.Action)}</code></td><td>{Badge(r.Enabled ? "enabled" : "disabled")}</td></tr>
            """));
        return $"""
            <section aria-labelledby="routes-title"><h2 id="routes-title">Routes (which events go where)</h2>
            <p><a href="/console/connections/{id}/routes/new" id="new-route">New route</a></p>
            {(page.Data.Count == 0 ? "<p id=\"no-routes\">No routes yet.</p>" : $"""
            <table id="routes" tabindex="0"><caption class="sr-only">Routes</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Event types</th><th scope="col">Filter</th><th scope="col">Action</th><th scope="col">Status</th></tr></thead>
            <tbody>{rows}</tbody></table>
            """)}
            </section>
            """;
    }

    private static async Task<string> Calls(HttpContext http, IMediator mediator, Guid id, CancellationToken ct)
    {
        var cursor = ConsoleWebhookPages.Param(http, "calls_cursor");
        var page = await mediator.Send(new ListConnectorCallsQuery(http.User.Tenant(), id, ListQueryParser.Parse(ListConnectorCallsQuery.Spec, new ListParameters("25", cursor))), ct);
        var rows = string.Join("\n", page.Data.Select(c => $"""
            <tr><td><a href="/console/connections/{id}/calls/{c.Id}">{E(c.EventType)}</a></td><td><code>{E(c.Action)}</code></td><td>{Badge(c.Status)}</td>
            <td class="code">{c.LastStatusCode?.ToString() ?? E(c.LastErrorKind ?? "—")}</td><td>{c.AttemptCount}</td><td>{Time(c.CreatedAt)}</td></tr>
            """));
        var next = page.HasMore ? $"""<p><a id="older-calls" href="/console/connections/{id}?calls_cursor={Uri.EscapeDataString(page.NextCursor!)}">Older calls</a></p>""" : "";
        return $"""
            <section aria-labelledby="calls-title"><h2 id="calls-title">Calls</h2>
            {(page.Data.Count == 0 ? "<p id=\"no-calls\">No calls yet.</p>" : $"""
            <table id="calls"><caption class="sr-only">Calls</caption>
            <thead><tr><th scope="col">Event type</th><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Last answer</th><th scope="col">Attempts</th><th scope="col">Created</th></tr></thead>
            <tbody>{rows}</tbody></table>
            """)}
            {next}</section>
            """;
    }

    private static async Task<string> AuditLog(HttpContext http, IMediator mediator, Guid id, CancellationToken ct)
    {
        var cursor = ConsoleWebhookPages.Param(http, "audit_cursor");
        var page = await mediator.Send(new ListConnectionAuditLogQuery(http.User.Tenant(), id,
            ListQueryParser.Parse(ListConnectionAuditLogQuery.Spec, new ListParameters("50", cursor))), ct);
        var rows = string.Join("\n", page.Data.Select(a => $"""
            <tr><td>{Time(a.At)}</td><td>{E(a.Action)}</td><td>{E(a.Actor)}</td>
            <td>{E(string.Join("; ", a.Details.Select(d => $"{d.Key}: {Format(d.Value)}")))}</td></tr>
            """));
        var next = page.HasMore ? $"""<p><a id="more-audit" href="/console/connections/{id}?audit_cursor={Uri.EscapeDataString(page.NextCursor!)}">More entries</a></p>""" : "";
        return $"""
            <section aria-labelledby="audit-title"><h2 id="audit-title">Audit log</h2>
            <table id="audit-log" tabindex="0"><caption class="sr-only">Audit log, oldest first</caption>
            <thead><tr><th scope="col">Time</th><th scope="col">What</th><th scope="col">Who</th><th scope="col">Details</th></tr></thead>
            <tbody>{rows}</tbody></table>
            {next}</section>
            """;
    }

    private static string Format(object? value) => value switch
    {
        null => "—",
        string s => s,
        System.Collections.IEnumerable list => string.Join(" ", list.Cast<object?>().Select(Format)),
        _ => value.ToString() ?? "",
    };

    private static async Task<IResult> Call(Guid id, Guid callId, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var call = await mediator.Send(new GetConnectorCallQuery(http.User.Tenant(), id, callId), ct);
        var attempts = string.Join("\n", call.Attempts.Select(a => $"""
            <tr><td>{a.Attempt?.ToString() ?? "—"}</td><td>{Time(a.StartedAt)}</td><td>{E(a.Request.Method)} {E(a.Request.Url)}</td>
            <td class="code">{a.StatusCode?.ToString() ?? "—"}</td><td>{a.DurationMs} ms</td><td>{E(a.ErrorKind ?? "—")}</td>
            <td><pre class="excerpt">{E(a.ResponseBodyExcerpt)}</pre></td></tr>
            """));
        return Page(http, "Call " + call.EventType, $"""
            <p><a href="/console/connections/{id}">← Connection</a></p>
            <h1>Call for {E(call.EventType)}</h1>
            <dl class="facts">
              <dt>Call id (idempotency key)</dt><dd><code>{call.Id}</code></dd>
              <dt>Action</dt><dd><code>{E(call.Action)}</code></dd>
              <dt>Status</dt><dd id="call-status">{Badge(call.Status)}</dd>
              <dt>Next attempt</dt><dd>{Time(call.NextAttemptAt)}</dd>
              <dt>Failure reason</dt><dd>{E(call.FailureReason ?? "—")}</dd>
            </dl>
            {ConsoleRoutePages.ReplayButton(http, id, call.Id, call.Status)}
            <h2>Attempts</h2>
            {(call.Attempts.Count == 0 ? "<p id=\"no-attempts\">No attempt yet.</p>" : $"""
            <table id="attempts" tabindex="0"><caption class="sr-only">Attempts</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Request</th><th scope="col">Status code</th><th scope="col">Response time</th><th scope="col">Error kind</th><th scope="col">Answer (first 1 KiB)</th></tr></thead>
            <tbody>{attempts}</tbody></table>
            """)}
            """);
    }
}
