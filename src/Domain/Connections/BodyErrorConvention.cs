using System.Text;
using System.Text.Json;

namespace Integrations.Domain.Connections;

/// <summary>How an error in a 2xx answer's body is to be read.</summary>
public enum BodyErrorKind
{
    /// <summary>The request itself is wrong (an unknown channel, invalid blocks): another attempt gives the same answer.</summary>
    Rejected,
    /// <summary>The provider is busy or failed inside: another attempt later may succeed.</summary>
    Retryable,
    /// <summary>The credentials are not accepted (expired, revoked, invalid): a refresh may help once.</summary>
    Auth,
}

/// <summary>An error a provider put in a successful HTTP answer, e.g. Slack's <c>{"ok":false,"error":"channel_not_found"}</c>.</summary>
public sealed record BodyError(string Code, BodyErrorKind Kind);

/// <summary>
/// Providers that answer errors with HTTP 200 and a flag in the body (Slack's Web API: <c>ok: false</c>
/// with an <c>error</c> code). The runtime reads every 2xx answer of such a provider through this, so
/// a refused call counts as a failure, retried or not by its code, never as a success.
/// </summary>
/// <param name="OkField">The top-level boolean that is false on an error (Slack: <c>ok</c>).</param>
/// <param name="ErrorField">The top-level string naming the error (Slack: <c>error</c>).</param>
public sealed record BodyErrorConvention(string OkField, string ErrorField, IReadOnlyList<string> RetryableErrors, IReadOnlyList<string> AuthErrors)
{
    private const int MaxCodeLength = 64;

    /// <summary>
    /// The error in this (possibly truncated) JSON body, or null when the body says ok, is not JSON, or
    /// does not say. Only top-level fields are read, in one pass, so the first kilobyte of a long
    /// answer is enough: the flag and code come first in the providers' answers.
    /// </summary>
    public BodyError? Read(ReadOnlySpan<byte> body)
    {
        bool? ok = null;
        string? code = null;
        var reader = new Utf8JsonReader(body, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read()) break;
                if (name == OkField && reader.TokenType is JsonTokenType.True or JsonTokenType.False) ok = reader.GetBoolean();
                else if (name == ErrorField && reader.TokenType == JsonTokenType.String) code = reader.GetString();
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip()) break;
                if (ok == true || (ok == false && code is not null)) break;
            }
        }
        catch (JsonException)
        {
            // A broken or cut answer: what was read before the break counts.
        }
        if (ok != false) return null;
        code = code is { Length: > 0 } ? code[..Math.Min(code.Length, MaxCodeLength)] : "unknown_error";
        var kind = AuthErrors.Contains(code) ? BodyErrorKind.Auth : RetryableErrors.Contains(code) ? BodyErrorKind.Retryable : BodyErrorKind.Rejected;
        return new BodyError(code, kind);
    }

    public BodyError? Read(string? body) => body is null ? null : Read(Encoding.UTF8.GetBytes(body));
}
