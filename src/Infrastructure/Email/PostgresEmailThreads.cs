using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Email;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Listing;
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
                                            text_body, html_body, truncated, references_ids, command_id, created_at)
                values (@id, @tenant_id, @thread_id, @address_id, @direction, @message_id, @from_address, @from_name, @to, @subject,
                        @text, @html, @truncated, @references, @command_id, @at)
                on conflict (address_id, message_id) do nothing
                """, ct, ("id", message.Id), ("tenant_id", message.TenantId), ("thread_id", message.ThreadId), ("address_id", message.AddressId),
                ("direction", message.Direction), ("message_id", message.MessageId), ("from_address", Clean(mail.FromAddress, 500)), ("from_name", Clean(mail.FromName, 500)),
                ("to", mail.To.Select(t => Clean(t, 500)!).ToArray()), ("subject", Clean(mail.Subject, 1000) ?? ""), ("text", Clean(mail.Text, int.MaxValue)),
                ("html", Clean(mail.Html, int.MaxValue)), ("truncated", mail.Truncated), ("references", message.References.ToArray()), ("command_id", message.CommandId), ("at", Sql.Utc(message.At)));
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

    private const string ListColumns = """
        t.id, t.address_id, t.subject, t.entity_type, t.entity_id, a.token, t.token,
        (select count(*)::int from email_messages m where m.thread_id = t.id), t.created_at, t.last_message_at
        """;

    private static readonly KeysetTable Table = new()
    {
        From = "email_threads t join email_addresses a on a.id = t.address_id",
        IdColumn = "t.id",
        Columns = new Dictionary<string, string> { ["last_message_at"] = "t.last_message_at" },
    };

    public Task<CursorPage<EmailThreadDto>> ListAsync(Guid tenantId, ListQuery query, string inboundDomain, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table, ListColumns, [("t.tenant_id", tenantId)], query,
            r => new EmailThreadDto(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                $"{r.GetString(5)}+{r.GetString(6)}@{inboundDomain}", r.GetInt32(7), r.GetFieldValue<DateTimeOffset>(8), r.GetFieldValue<DateTimeOffset>(9)), ct), ct);

    public Task<EmailThreadDetailDto?> FindDetailAsync(Guid tenantId, Guid threadId, string inboundDomain, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            EmailThreadDto thread;
            await using (var command = Sql.Command(connection, transaction, $"select {ListColumns} from {Table.From} where t.tenant_id = @tenant_id and t.id = @id",
                             ("tenant_id", tenantId), ("id", threadId)))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) return null;
                thread = new EmailThreadDto(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    $"{reader.GetString(5)}+{reader.GetString(6)}@{inboundDomain}", reader.GetInt32(7), reader.GetFieldValue<DateTimeOffset>(8),
                    reader.GetFieldValue<DateTimeOffset>(9));
            }
            var attachments = new Dictionary<Guid, List<EmailAttachmentDto>>();
            await using (var command = Sql.Command(connection, transaction, """
                             select a.message_id, a.position, a.file_name, a.content_type, a.size, a.too_large
                             from email_attachments a join email_messages m on m.id = a.message_id
                             where m.thread_id = @id and a.tenant_id = @tenant_id order by a.message_id, a.position
                             """, ("tenant_id", tenantId), ("id", threadId)))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var list = attachments.TryGetValue(reader.GetGuid(0), out var l) ? l : attachments[reader.GetGuid(0)] = [];
                    list.Add(new EmailAttachmentDto(reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetBoolean(5)));
                }
            }
            var messages = new List<EmailMessageDto>();
            await using (var command = Sql.Command(connection, transaction, """
                             select id, direction, message_id, from_address, from_name, to_addresses, subject, text_body, html_body, truncated, command_id, created_at
                             from email_messages where thread_id = @id and tenant_id = @tenant_id order by created_at, id
                             """, ("tenant_id", tenantId), ("id", threadId)))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var id = reader.GetGuid(0);
                    messages.Add(new EmailMessageDto(id, reader.GetString(1), reader.GetString(2), new MailPerson(reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)),
                        reader.GetFieldValue<string[]>(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                        reader.GetBoolean(9), reader.IsDBNull(10) ? null : reader.GetGuid(10), reader.GetFieldValue<DateTimeOffset>(11),
                        attachments.TryGetValue(id, out var a) ? a : []));
                }
            }
            return new EmailThreadDetailDto(thread.Id, thread.AddressId, thread.Subject, thread.EntityType, thread.EntityId, thread.ReplyTo, thread.CreatedAt,
                thread.LastMessageAt, messages);
        }, ct);

    public Task<EmailAttachmentContent?> FindAttachmentAsync(Guid tenantId, Guid threadId, Guid messageId, int position, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select a.file_name, a.content from email_attachments a join email_messages m on m.id = a.message_id
                where a.tenant_id = @tenant_id and m.tenant_id = @tenant_id and m.thread_id = @thread_id and a.message_id = @message_id and a.position = @position
                """, ("tenant_id", tenantId), ("thread_id", threadId), ("message_id", messageId), ("position", position));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? new EmailAttachmentContent(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1)) : null;
        }, ct);

    public Task<AnsweredMessage?> LastReceivedAsync(Guid threadId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select message_id, from_address, subject, references_ids from email_messages
                where thread_id = @id and direction = 'in' order by created_at desc, id desc limit 1
                """, ("id", threadId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new AnsweredMessage(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<string[]>(3))
                : null;
        }, ct);

    /// <summary>Text PostgreSQL can hold (no U+0000, which a mail may carry), cut to <paramref name="max"/>.</summary>
    private static string? Clean(string? text, int max)
    {
        if (text is null) return null;
        var clean = text.Replace("\0", "", StringComparison.Ordinal);
        return clean.Length <= max ? clean : clean[..max];
    }
}
