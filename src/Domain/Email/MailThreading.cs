using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Integrations.Domain.Common;

namespace Integrations.Domain.Email;

/// <summary>A recipient of ours: the address's token and, when plus-addressed (<c>token+thread@domain</c>), the thread's token.</summary>
public sealed record MailRecipient(string AddressToken, string? ThreadToken);

/// <summary>Where a received mail belongs: a thread found by its headers or plus address, or a new one.</summary>
public abstract record ThreadChoice
{
    public sealed record Existing(Guid ThreadId, string How) : ThreadChoice;

    public sealed record New : ThreadChoice;
}

/// <summary>
/// Pure threading rules of inbound mail (ADR 0032). A mail belongs to a thread when its
/// <c>In-Reply-To</c> or <c>References</c> names a message of that thread (one we received or sent),
/// or, failing that, when it was sent to the thread's plus address (our replies carry it as
/// Reply-To, so a mail client that drops the headers still threads). Anything else starts a thread.
/// </summary>
public static partial class MailThreading
{
    public const string ByReference = "references";
    public const string ByPlusAddress = "plus_address";

    /// <summary>The recipient when <paramref name="address"/> is one of ours (the domain compared without regard to case), else null.</summary>
    public static MailRecipient? ParseRecipient(string? address, string inboundDomain)
    {
        if (string.IsNullOrWhiteSpace(address)) return null;
        var at = address.LastIndexOf('@');
        if (at <= 0 || !string.Equals(address[(at + 1)..].TrimEnd('.'), inboundDomain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)) return null;
        var local = address[..at].ToLowerInvariant();
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        var token = plus < 0 ? local : local[..plus];
        var thread = plus < 0 ? null : local[(plus + 1)..];
        if (!EmailAddressRules.IsToken(token)) return null;
        // A plus part that is not a thread token of ours (a customer's own tag) is ignored, not refused.
        return new MailRecipient(token, thread is not null && ThreadTokenPattern().IsMatch(thread) ? thread : null);
    }

    public static string Address(string addressToken, string? threadToken, string inboundDomain) =>
        threadToken is null ? $"{addressToken}@{inboundDomain}" : $"{addressToken}+{threadToken}@{inboundDomain}";

    /// <summary>96 random bits as hex: unguessable, and short enough that token+thread stays within the 64 characters of a local part.</summary>
    public static string NewThreadToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>The message ids a mail refers to, most specific first: In-Reply-To, then References from the newest (last) back; without angle brackets, each once.</summary>
    public static IReadOnlyList<string> ReferencedIds(IEnumerable<string> inReplyTo, IEnumerable<string> references) =>
        [.. inReplyTo.Concat(references.Reverse()).Select(Normalize).OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>A Message-ID without its angle brackets and blanks; null when nothing is left or it is absurdly long.</summary>
    public static string? Normalize(string? messageId)
    {
        var id = messageId?.Trim().Trim('<', '>').Trim();
        return string.IsNullOrEmpty(id) || id.Length > 500 || id.Any(char.IsControl) ? null : id;
    }

    /// <summary>
    /// The thread of a mail: the thread of the first referenced message we know (In-Reply-To before
    /// References), else the plus address's thread, else a new one.
    /// </summary>
    /// <param name="referencedThreads">For each referenced id we know, its thread (in the order of <see cref="ReferencedIds"/>).</param>
    public static ThreadChoice Choose(IReadOnlyList<string> referencedIds, IReadOnlyDictionary<string, Guid> referencedThreads, Guid? plusAddressThread)
    {
        foreach (var id in referencedIds)
            if (referencedThreads.TryGetValue(id, out var thread)) return new ThreadChoice.Existing(thread, ByReference);
        return plusAddressThread is { } plus ? new ThreadChoice.Existing(plus, ByPlusAddress) : new ThreadChoice.New();
    }

    /// <summary>
    /// The identity of a received mail for deduplication: its Message-ID, or (a mail without one) a
    /// hash of its bytes, so the same mail delivered twice is recognised either way.
    /// </summary>
    public static string Identity(string? messageId, ReadOnlySpan<byte> raw) =>
        Normalize(messageId) ?? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(raw));

    /// <summary>
    /// The product command a received mail issues, named by the address, the mail's identity and what
    /// it does: a mail handled twice (redelivered, or forwarded again) issues nothing twice.
    /// </summary>
    public static Guid CommandId(Guid addressId, string mailIdentity, string command) =>
        NameBasedGuid.Create(Encoding.UTF8.GetBytes($"email:{addressId:N}:{command}:{mailIdentity}"));

    /// <summary>A Message-ID for a mail we send: unique, and in our own domain (RFC 5322 §3.6.4).</summary>
    public static string NewMessageId(string domain) => $"{Guid.CreateVersion7():N}@{domain}";

    /// <summary>The References of our reply: the original's References, then its Message-ID (RFC 5322 §3.6.4), at most the last 20.</summary>
    public static IReadOnlyList<string> ReplyReferences(IEnumerable<string> originalReferences, string? originalMessageId)
    {
        var ids = originalReferences.Select(Normalize).OfType<string>().ToList();
        if (Normalize(originalMessageId) is { } id) ids.Add(id);
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count <= 20 ? distinct : [distinct[0], .. distinct[^19..]];
    }

    [GeneratedRegex("^[0-9a-f]{24}$")]
    private static partial Regex ThreadTokenPattern();
}
