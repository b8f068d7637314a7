using System.Globalization;
using System.Net;
using System.Text;
using Integrations.Domain.Notifications;

namespace Integrations.Application.Notifications.Pipelines.Mail;

/// <summary>
/// Writes the mail of a notice: plain text and HTML saying what broke, since when, what to do and
/// where to look. Only what the notice holds goes in (its summary and detail, which callers keep free of
/// secrets) and ids; never a URL the customer configured, whose path or query may carry a token.
/// </summary>
public sealed class NotificationMailComposer(NotificationMailOptions options)
{
    public OutgoingMail Compose(QueuedMail mail)
    {
        var guidance = IncidentGuidance.For(mail.Kind);
        var resolved = mail.Notice == IncidentNotices.Resolved;
        var link = options.BaseUrl + guidance.PathFor(mail.SubjectId);
        var noticeLink = $"{options.BaseUrl}/api/v1/notifications/{mail.NoticeId}";
        var subject = resolved ? $"[{mail.TenantName}] Resolved: {mail.Summary}" : $"[{mail.TenantName}] {mail.Summary}";
        var rows = new List<(string Label, string Value)>
        {
            ("Organisation", mail.TenantName),
            ("What", resolved ? guidance.ResolvedTitle : guidance.Title),
            (resolved ? "Broken since" : "Since", Time(mail.OpenedAt)),
        };
        if (resolved) rows.Add(("Working again since", Time(mail.OccurredAt)));
        if (mail.Detail is { } detail) rows.Add(("Why", detail));
        rows.Add(("Affected", $"{mail.Kind.Split('.')[0].Replace('_', ' ')} {mail.SubjectId}"));
        var whatToDo = resolved ? "Nothing: it works again. Deliveries and calls that waited go out by themselves." : guidance.WhatToDoFor(mail.SubjectId);

        var text = new StringBuilder()
            .Append(mail.Summary).Append(resolved ? " — resolved." : ".").Append("\n\n");
        foreach (var (label, value) in rows) text.Append(label).Append(": ").Append(value).Append('\n');
        text.Append("\nWhat to do: ").Append(whatToDo).Append("\n\n")
            .Append("Details: ").Append(link).Append('\n')
            .Append("This notification: ").Append(noticeLink).Append(" (mark it read with POST …/read)\n\n")
            .Append(Footer(resolved)).Append('\n');

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family: sans-serif; line-height: 1.4\">")
            .Append("<h2>").Append(Encode(mail.Summary)).Append(resolved ? " — resolved" : "").Append("</h2><table>");
        foreach (var (label, value) in rows)
            html.Append("<tr><th align=\"left\" style=\"padding-right: 1em\">").Append(Encode(label)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>");
        html.Append("</table><p><strong>What to do:</strong> ").Append(Encode(whatToDo)).Append("</p>")
            .Append("<p><a href=\"").Append(Encode(link)).Append("\">Details</a> · <a href=\"").Append(Encode(noticeLink)).Append("\">This notification</a></p>")
            .Append("<p style=\"color: #666; font-size: smaller\">").Append(Encode(Footer(resolved))).Append("</p></body></html>");

        return new OutgoingMail(mail.Id, mail.Recipient, subject, text.ToString(), html.ToString(), mail.Id.ToString("N"), mail.NoticeId);
    }

    private static string Footer(bool resolved) =>
        "You receive this as an admin of your organisation on Integrations: one mail when a failure persists and one when it is " +
        (resolved ? "resolved (this one)" : "resolved") + ", never one per failure. The notifications API lists them all (GET /api/v1/notifications).";

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
