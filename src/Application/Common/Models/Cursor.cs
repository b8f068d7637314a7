using System.Buffers.Text;
using System.Text;
using Integrations.Application.Common.Exceptions;

namespace Integrations.Application.Common.Models;

public enum CursorDirection { After, Before }

/// <summary>
/// An opaque keyset position: "after" pages go further into the past (older), "before" pages come
/// back towards the newest. Clients must treat the encoded form as opaque.
/// </summary>
public sealed record Cursor(CursorDirection Direction, long Position)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{(Direction == CursorDirection.After ? 'a' : 'b')}:{Position}"));

    public static Cursor? Decode(string? value, string field = "cursor")
    {
        if (string.IsNullOrEmpty(value)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value));
            if (text.Length > 2 && text[1] == ':' && (text[0] == 'a' || text[0] == 'b') && long.TryParse(text.AsSpan(2), out var position) && position >= 0)
                return new Cursor(text[0] == 'a' ? CursorDirection.After : CursorDirection.Before, position);
        }
        catch (FormatException)
        {
        }
        throw new ValidationException([new ValidationError(field, "invalid_cursor", "The cursor is not one this API issued.")]);
    }
}
