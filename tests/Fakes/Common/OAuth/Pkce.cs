using System.Security.Cryptography;
using System.Text;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>Proof Key for Code Exchange, RFC 7636.</summary>
public static class Pkce
{
    /// <summary>
    /// RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". A plain
    /// challenge is the verifier itself (§4.2), so it has the same form; an S256 challenge is the
    /// unpadded base64url of a SHA-256 hash: 43 characters.
    /// </summary>
    public static bool IsWellFormed(string value) =>
        value.Length is >= 43 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>Why a challenge of the authorization request is refused (RFC 7636 §4.4.1), or null.</summary>
    public static string? CheckChallenge(string challenge, string method) =>
        method == "S256" && (challenge.Length != 43 || !IsWellFormed(challenge)) ? "code_challenge is not a base64url SHA-256 hash"
        : !IsWellFormed(challenge) ? "code_challenge must be 43 to 128 unreserved characters"
        : null;

    /// <summary>RFC 7636 §4.6: transform the verifier by the method and compare; why it fails, or null.</summary>
    public static string? Verify(string challenge, string method, string? verifier)
    {
        if (verifier is null)
        {
            return "code_verifier is required: the authorization request had a code_challenge.";
        }
        if (!IsWellFormed(verifier))
        {
            return "code_verifier must be 43 to 128 unreserved characters.";
        }
        var computed = method == "S256" ? S256(verifier) : verifier;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge))
            ? null
            : "code_verifier does not match the code_challenge.";
    }

    /// <summary>RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).</summary>
    public static string S256(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
