using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.SmtpCatcher;

/// <summary>
/// The caught messages over HTTP. <c>GET /messages</c> filters by <c>to</c> and <c>from</c> (an address
/// of the headers or the envelope, case-insensitive) and <c>subject</c> (contains), and with
/// <c>wait_for=N</c> waits up to <c>timeout_ms</c> (default 10 s) until N messages match.
/// </summary>
public static class MessagesApi
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    public static void MapMessages(this WebApplication app)
    {
        app.MapGet("/messages", async (MailStore store, string? to, string? from, string? subject, int? wait_for, int? timeout_ms, CancellationToken cancellationToken) =>
        {
            if (wait_for is < 0 || timeout_ms is < 0)
            {
                return ControlApi.Invalid("wait_for and timeout_ms must not be negative");
            }
            var timeout = TimeSpan.FromMilliseconds(Math.Min(timeout_ms ?? 10_000, MaxWait.TotalMilliseconds));
            var found = await store.WaitAsync(m => Matches(m, to, from, subject), wait_for ?? 0, timeout, cancellationToken);
            return Results.Ok(new { data = found });
        });
        app.MapGet("/messages/{id}", (string id, MailStore store) =>
            store.Find(id) is { } message ? Results.Ok(message) : NotFound(id));
        app.MapGet("/messages/{id}/raw", (string id, MailStore store) =>
            store.Find(id) is { } message ? Results.Bytes(message.Raw, "message/rfc822") : NotFound(id));
        app.MapDelete("/messages", (MailStore store) =>
        {
            store.Clear();
            return Results.NoContent();
        });

        app.MapPost("/_fake/smtp/faults", async (HttpRequest request, MailStore store) =>
        {
            var (fault, error) = await ControlApi.ReadAsync<SmtpFault>(request);
            if ((error ?? fault!.Validate()) is { } problem)
            {
                return ControlApi.Invalid(problem);
            }
            store.AddFault(fault!);
            return Results.Created("/_fake/smtp/faults", fault);
        });
    }

    private static bool Matches(CaughtMessage message, string? to, string? from, string? subject) =>
        (to is null || message.EnvelopeTo.Concat(message.To.Concat(message.Cc).Select(a => a.Address)).Any(a => a.Equals(to, StringComparison.OrdinalIgnoreCase)))
        && (from is null || message.From.Select(a => a.Address).Append(message.EnvelopeFrom).Any(a => a.Equals(from, StringComparison.OrdinalIgnoreCase)))
        && (subject is null || message.Subject.Contains(subject, StringComparison.OrdinalIgnoreCase));

    private static IResult NotFound(string id) => Results.NotFound(new { error = "not_found", message = $"No message '{id}'." });
}
