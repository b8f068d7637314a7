using Integrations.Fakes.Common;
using Integrations.Fakes.Common.Control;
using MimeKit;

namespace Integrations.Fakes.SmtpCatcher;

/// <summary>A received message: the SMTP envelope and what MimeKit parsed from the data.</summary>
public sealed record CaughtMessage(
    string Id,
    DateTimeOffset ReceivedAt,
    string EnvelopeFrom,
    IReadOnlyList<string> EnvelopeTo,
    IReadOnlyList<MailAddress> From,
    IReadOnlyList<MailAddress> To,
    IReadOnlyList<MailAddress> Cc,
    string Subject,
    string? MessageId,
    string? Text,
    string? Html,
    IReadOnlyList<MailHeader> Headers,
    IReadOnlyList<CaughtAttachment> Attachments)
{
    internal byte[] Raw { get; init; } = [];
}

public sealed record MailAddress(string? Name, string Address);

public sealed record MailHeader(string Name, string Value);

public sealed record CaughtAttachment(string? FileName, string ContentType);

/// <summary>An SMTP error the next messages get instead of being kept (e.g. 451 to test retries, 550 for a refusal).</summary>
public sealed record SmtpFault
{
    public int Code { get; init; } = 451;
    public string Message { get; init; } = "Requested action aborted: local error in processing";
    public int Count { get; init; } = 1;

    public string? Validate() =>
        Code is < 400 or > 599 ? "code must be an SMTP error reply (4xx or 5xx)"
        : Count <= 0 ? "count must be positive"
        : null;
}

/// <summary>Every message received since start-up or the last clear, oldest first; waiters wake on each new one.</summary>
public sealed class MailStore(TimeProvider clock) : IFakeResettable
{
    private readonly object _lock = new();
    private readonly List<CaughtMessage> _messages = [];
    private readonly CountedQueue<SmtpFault> _faults = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sequence;

    public async Task AddAsync(string envelopeFrom, IReadOnlyList<string> envelopeTo, byte[] raw, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(raw);
        var mime = await MimeMessage.LoadAsync(stream, cancellationToken);
        static List<MailAddress> Addresses(InternetAddressList list) =>
            list.Mailboxes.Select(m => new MailAddress(string.IsNullOrEmpty(m.Name) ? null : m.Name, m.Address)).ToList();
        TaskCompletionSource changed;
        lock (_lock)
        {
            _messages.Add(new CaughtMessage(
                $"msg_{++_sequence}",
                clock.GetUtcNow(),
                envelopeFrom,
                envelopeTo,
                Addresses(mime.From),
                Addresses(mime.To),
                Addresses(mime.Cc),
                mime.Subject ?? "",
                mime.MessageId,
                mime.TextBody,
                mime.HtmlBody,
                mime.Headers.Select(h => new MailHeader(h.Field, h.Value)).ToList(),
                mime.Attachments.Select(a => new CaughtAttachment(
                    a.ContentDisposition?.FileName ?? a.ContentType.Name, a.ContentType.MimeType)).ToList())
            { Raw = raw });
            (changed, _changed) = (_changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        changed.SetResult();
    }

    /// <summary>The messages that match, waiting up to <paramref name="timeout"/> until there are at least <paramref name="atLeast"/>.</summary>
    public async Task<IReadOnlyList<CaughtMessage>> WaitAsync(Func<CaughtMessage, bool> filter, int atLeast, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            List<CaughtMessage> found;
            lock (_lock)
            {
                found = _messages.Where(filter).ToList();
                changed = _changed.Task;
            }
            if (found.Count >= atLeast)
            {
                return found;
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return found;
            }
        }
    }

    public CaughtMessage? Find(string id)
    {
        lock (_lock)
        {
            return _messages.FirstOrDefault(m => m.Id == id);
        }
    }

    public void AddFault(SmtpFault fault) => _faults.Add(fault, fault.Count);

    public SmtpFault? TakeFault() => _faults.Take();

    /// <summary>Forgets every message (<c>DELETE /messages</c>) but keeps the faults.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _messages.Clear();
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _messages.Clear();
        }
        _faults.Clear();
    }
}
