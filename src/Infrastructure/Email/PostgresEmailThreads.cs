using Integrations.Application.Email;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Email;

/// <summary><see cref="IEmailThreads"/> on <c>email_threads</c>, <c>email_messages</c> and <c>email_attachments</c> (migration 0054).</summary>
public sealed class PostgresEmailThreads(DbSession session) : IEmailThreads
{
    private const string ThreadColumns = "id, tenant_id, address_id, token, subject, entity_type, entity_id, create_command_id";

    public Task<IReadOnlyDictionary<string, Guid>> FindByMessageIdsAsync(Guid addressId, IReadOnlyList<string> messageIds, CancellationToken ct) =>
        session.RunAsync<IReadOnlyDictionary<string, Guid>>(async (connection, transaction) =>
        {
            var found = new Dictionary<string, Guid>(StringComparer.Ordinal);
            if (messageIds.Count == 0) return found;
            await using var command = Sql.Command(connection, transaction,
                "select message_id, thread_id from email_messages where address_id = @address_id and message_id = any(@ids)",
                ("address_id", addressId), ("ids", messageIds.ToArray()));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) found[reader.GetString(0)] = reader.GetGuid(1);
            return found;
        }, ct);

    public Task<MailThread?> FindByTokenAsync(Guid addressId, string threadToken, CancellationToken ct) =>
        FindThreadAsync("address_id = @a and token = @b", addressId, threadToken, ct);

    public Task<MailThread?> FindAsync(Guid tenantId, Guid threadId, CancellationToken ct) => FindThreadAsync("tenant_id = @a and id = @b", tenantId, threadId, ct);

    private Task<MailThread?> FindThreadAsync(string where, object a, object b, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"select {ThreadColumns} from email_threads where {where}", ("a", a), ("b", b));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? ReadThread(reader) : null;
        }, ct);

    public static MailThread ReadThread(NpgsqlDataReader r) => new(r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6), r.GetGuid(7));

    public Task CreateAsync(MailThread thread, DateTimeOffset at, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction, """
            insert into email_threads (id, tenant_id, address_id, token, subject, entity_type, entity_id, create_command_id, created_at, last_message_at)
            values (@id, @tenant_id, @address_id, @token, @subject, @entity_type, @entity_id, @create_command_id, @at, @at)
            """, ct, ("id", thread.Id), ("tenant_id", thread.TenantId), ("address_id", thread.AddressId), ("token", thread.Token), ("subject", Clean(thread.Subject, 1000)),
            ("entity_type", thread.EntityType), ("entity_id", thread.EntityId), ("create_command_id", thread.CreateCommandId), ("at", Sql.Utc(at))), ct);

    public Task<bool> AddMessageAsync(NewMailMessage message, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            var mail = message.Mail;
            var written = await Sql.ExecuteAsync(connection, transaction, """
                insert into email_messages (id, tenant_id, thread_id, address_id, direction, message_id, from_address, from_name, to_addresses, subject,
                                            text_body, html_body, truncated, command_id, created_at)
                values (@id, @tenant_id, @thread_id, @address_id, @direction, @message_id, @from_address, @from_name, @to, @subject,
                        @text, @html, @truncated, @command_id, @at)
                on conflict (address_id, message_id) do nothing
                """, ct, ("id", message.Id), ("tenant_id", message.TenantId), ("thread_id", message.ThreadId), ("address_id", message.AddressId),
                ("direction", message.Direction), ("message_id", message.MessageId), ("from_address", Clean(mail.FromAddress, 500)), ("from_name", Clean(mail.FromName, 500)),
                ("to", mail.To.Select(t => Clean(t, 500)!).ToArray()), ("subject", Clean(mail.Subject, 1000) ?? ""), ("text", Clean(mail.Text, int.MaxValue)),
                ("html", Clean(mail.Html, int.MaxValue)), ("truncated", mail.Truncated), ("command_id", message.CommandId), ("at", Sql.Utc(message.At)));
            if (written == 0) return false;
            for (var i = 0; i < mail.Attachments.Count; i++)
            {
                var attachment = mail.Attachments[i];
                await Sql.ExecuteAsync(connection, transaction, """
                    insert into email_attachments (message_id, position, tenant_id, file_name, content_type, size, too_large, content)
                    values (@message_id, @position, @tenant_id, @file_name, @content_type, @size, @too_large, @content)
                    """, ct, ("message_id", message.Id), ("position", i), ("tenant_id", message.TenantId), ("file_name", Clean(attachment.FileName, 255) ?? "attachment"),
                    ("content_type", Clean(attachment.ContentType, 255) ?? "application/octet-stream"), ("size", attachment.Size), ("too_large", attachment.Content is null),
                    ("content", attachment.Content));
            }
            await Sql.ExecuteAsync(connection, transaction, "update email_threads set last_message_at = greatest(last_message_at, @at) where id = @id", ct,
                ("id", message.ThreadId), ("at", Sql.Utc(message.At)));
            return true;
        }, ct);

    public Task SetEntityAsync(Guid threadId, string entityId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction,
            "update email_threads set entity_id = @entity_id where id = @id and entity_id is null", ct, ("id", threadId), ("entity_id", entityId)), ct);

    /// <summary>Text PostgreSQL can hold (no U+0000, which a mail may carry), cut to <paramref name="max"/>.</summary>
    private static string? Clean(string? text, int max)
    {
        if (text is null) return null;
        var clean = text.Replace("\0", "", StringComparison.Ordinal);
        return clean.Length <= max ? clean : clean[..max];
    }
}
