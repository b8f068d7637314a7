using System.Text;

namespace Integrations.Fakes.Common.Auth;

/// <summary>The credentials of an <c>Authorization: Basic</c> header (RFC 7617 §2).</summary>
public static class BasicCredentials
{
    /// <summary>
    /// Base64 of "user-id:password" in UTF-8; null when malformed. OAuth clients form-urlencode both
    /// parts first (RFC 6749 §2.3.1, Appendix B): <paramref name="formEncoded"/> decodes them.
    /// </summary>
    public static (string User, string Password)? Decode(string encoded, bool formEncoded = false)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()));
            var colon = decoded.IndexOf(':');
            if (colon <= 0)
            {
                return null;
            }
            static string FormDecode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
            return formEncoded
                ? (FormDecode(decoded[..colon]), FormDecode(decoded[(colon + 1)..]))
                : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
