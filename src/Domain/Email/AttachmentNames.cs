namespace Integrations.Domain.Email;

/// <summary>
/// The file name an attachment is downloaded as: whatever the sender called it, made harmless. No
/// directory parts, no control or quoting characters (they break the Content-Disposition header or a
/// path on the reader's disk), no leading dots (hidden files), at most 100 characters; never empty.
/// </summary>
public static class AttachmentNames
{
    public const int MaxLength = 100;

    public static string Safe(string? name)
    {
        var last = (name ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "";
        var cleaned = new string([.. last.Select(c => char.IsControl(c) || c is '"' or '<' or '>' or ':' or '|' or '?' or '*' or ';' ? '_' : c)]).Trim().TrimStart('.').Trim();
        if (cleaned.Length > MaxLength)
        {
            var extension = Path.GetExtension(cleaned);
            cleaned = extension.Length is > 0 and <= 10 ? cleaned[..(MaxLength - extension.Length)] + extension : cleaned[..MaxLength];
        }
        return cleaned.Length == 0 ? "attachment" : cleaned;
    }
}
