using Integrations.Domain.Common;

namespace Integrations.Domain.Inbound;

// A tenant's inbound source: a URL of its own (/inbound/sources/{id}) for a system the provider
// catalog does not know, with the verifier its sender uses. The secret is never in an event: it is
// sealed in the vault beside the stream (like a connection's credentials) and erased on delete.

public interface IInboundSourceEvent
{
    Guid TenantId { get; }
    Guid SourceId { get; }
}

/// <param name="SilenceAlertAfterSeconds">Tell the tenant when nothing verified arrived for this long; null: never (events before 2026-12-07 have none).</param>
public sealed record InboundSourceCreated(Guid TenantId, Guid SourceId, string Name, SourceVerifierSpec Verifier, DateTimeOffset CreatedAt,
    int? SilenceAlertAfterSeconds = null) : IInboundSourceEvent;

/// <summary>The silence alert changed (null: switched off); the silence is counted from <see cref="At"/> at the latest.</summary>
public sealed record InboundSourceSilenceAlertSet(Guid TenantId, Guid SourceId, int? AfterSeconds, DateTimeOffset At) : IInboundSourceEvent;

public sealed record InboundSourceDeleted(Guid TenantId, Guid SourceId, DateTimeOffset DeletedAt) : IInboundSourceEvent;

/// <summary>
/// How a source's requests are verified, without its secret. Kind <c>hmac</c> uses the other fields
/// (<see cref="HmacScheme"/>); <c>standard_webhooks</c> and <c>basic</c> (with <see cref="Username"/>) need none.
/// Wire values: algorithm sha1|sha256|sha512, encoding hex|base64.
/// </summary>
public sealed record SourceVerifierSpec(
    string Kind, string? Header = null, string? Algorithm = null, string? Encoding = null, string? Prefix = null, string? Template = null,
    string? TimestampHeader = null, int? ToleranceSeconds = null, string? Username = null)
{
    public const string Hmac = "hmac";
    public const string StandardWebhooks = "standard_webhooks";
    public const string Basic = "basic";

    public static readonly IReadOnlyList<string> Kinds = [Hmac, StandardWebhooks, Basic];

    /// <summary>Every problem with the spec, as (field, code, message); empty when it is usable.</summary>
    public IReadOnlyList<(string Field, string Code, string Message)> Problems()
    {
        var problems = new List<(string, string, string)>();
        switch (Kind)
        {
            case Hmac:
                if (string.IsNullOrWhiteSpace(Header) || Header.Length > 100 || Header.Any(c => c <= ' ' || c > '~' || c == ':'))
                    problems.Add(("verifier.header", "invalid_value", "header must be an HTTP header name (e.g. X-Signature)."));
                if (Algorithm is not ("sha1" or "sha256" or "sha512")) problems.Add(("verifier.algorithm", "invalid_value", "algorithm must be sha1, sha256 or sha512."));
                if (Encoding is not ("hex" or "base64")) problems.Add(("verifier.encoding", "invalid_value", "encoding must be hex or base64."));
                if (Prefix is { Length: > 50 }) problems.Add(("verifier.prefix", "invalid_value", "prefix must be at most 50 characters."));
                if (ToleranceSeconds is < 1 or > 86400) problems.Add(("verifier.tolerance_seconds", "invalid_value", "tolerance_seconds must be between 1 and 86400."));
                if (Template is { Length: > 200 }) problems.Add(("verifier.template", "invalid_value", "template must be at most 200 characters."));
                else if (problems.Count == 0 && Scheme().Problem() is { } problem) problems.Add(("verifier.template", "invalid_value", problem));
                break;
            case StandardWebhooks:
                break;
            case Basic:
                if (string.IsNullOrEmpty(Username) || Username.Length > 200 || Username.Contains(':'))
                    problems.Add(("verifier.username", "invalid_value", "username is required for basic, without ':' and at most 200 characters."));
                break;
            default:
                problems.Add(("verifier.kind", "invalid_value", $"kind must be one of {string.Join(", ", Kinds)}."));
                break;
        }
        return problems;
    }

    public HmacScheme Scheme() => new(
        Header!, Algorithm switch { "sha1" => HmacAlgorithm.Sha1, "sha512" => HmacAlgorithm.Sha512, _ => HmacAlgorithm.Sha256 },
        Encoding == "base64" ? SignatureEncoding.Base64 : SignatureEncoding.Hex, Prefix ?? "", Template ?? "{body}",
        TimestampHeader, TimestampUnit.Seconds, ToleranceSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);

    public IInboundVerifier Verifier(string secret) => Kind switch
    {
        Hmac => new HmacVerifier(Scheme(), System.Text.Encoding.UTF8.GetBytes(secret)),
        StandardWebhooks => new StandardWebhooksVerifier(secret),
        _ => new BasicAuthVerifier(Username ?? "", secret),
    };
}

public abstract record InboundSourceAction;

public sealed record CreateInboundSource(Guid TenantId, Guid SourceId, string Name, SourceVerifierSpec Verifier, DateTimeOffset Now,
    int? SilenceAlertAfterSeconds = null) : InboundSourceAction;

public sealed record SetInboundSourceSilenceAlert(int? AfterSeconds, DateTimeOffset Now) : InboundSourceAction;

/// <summary>How long a source may stay silent before its tenant is told: from 5 minutes to 30 days.</summary>
public static class SilenceAlert
{
    public const int MinSeconds = 300;
    public const int MaxSeconds = 30 * 24 * 3600;

    public static string? Problem(int? seconds) => seconds is < MinSeconds or > MaxSeconds
        ? $"silence_alert_after_seconds must be between {MinSeconds} and {MaxSeconds} (5 minutes to 30 days), or null for none."
        : null;
}

public sealed record DeleteInboundSource(DateTimeOffset Now) : InboundSourceAction;

public sealed record InboundSourceState(Guid TenantId, Guid SourceId, bool Exists, bool Deleted, int? SilenceAlertAfterSeconds = null)
{
    public static readonly InboundSourceState None = new(Guid.Empty, Guid.Empty, false, false);
}

public static class InboundSourceDecider
{
    public static readonly Decider<InboundSourceAction, InboundSourceState, IInboundSourceEvent> Decider = new(Decide, Evolve, InboundSourceState.None);

    public static string StreamId(Guid sourceId) => $"inbound_source-{sourceId:N}";

    public static DomainException NotFound() => new("inbound_source_not_found", "There is no such inbound source.");

    public static IReadOnlyList<IInboundSourceEvent> Decide(InboundSourceAction action, InboundSourceState state) => action switch
    {
        CreateInboundSource when state.Exists => throw new DomainException("inbound_source_exists", "The inbound source exists already."),
        CreateInboundSource c when c.Verifier.Problems() is { Count: > 0 } problems => throw new DomainException(problems[0].Code, problems[0].Message),
        CreateInboundSource c when SilenceAlert.Problem(c.SilenceAlertAfterSeconds) is { } problem => throw new DomainException("invalid_value", problem),
        CreateInboundSource c => [new InboundSourceCreated(c.TenantId, c.SourceId, c.Name.Trim(), c.Verifier, c.Now, c.SilenceAlertAfterSeconds)],
        SetInboundSourceSilenceAlert or DeleteInboundSource when !state.Exists || state.Deleted => throw NotFound(),
        SetInboundSourceSilenceAlert s when SilenceAlert.Problem(s.AfterSeconds) is { } problem => throw new DomainException("invalid_value", problem),
        SetInboundSourceSilenceAlert s when s.AfterSeconds == state.SilenceAlertAfterSeconds => [],
        SetInboundSourceSilenceAlert s => [new InboundSourceSilenceAlertSet(state.TenantId, state.SourceId, s.AfterSeconds, s.Now)],
        DeleteInboundSource d => [new InboundSourceDeleted(state.TenantId, state.SourceId, d.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "Unknown inbound source action."),
    };

    public static InboundSourceState Evolve(InboundSourceState state, IInboundSourceEvent @event) => @event switch
    {
        InboundSourceCreated e => new InboundSourceState(e.TenantId, e.SourceId, true, false, e.SilenceAlertAfterSeconds),
        InboundSourceSilenceAlertSet e => state with { SilenceAlertAfterSeconds = e.AfterSeconds },
        InboundSourceDeleted => state with { Deleted = true },
        _ => state,
    };
}
