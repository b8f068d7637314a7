using System.Globalization;
using System.Text.RegularExpressions;

namespace Integrations.Application.Common;

/// <summary>
/// RFC 3339 date-times with an offset (2026-01-01T00:00:00Z, …+01:00), the only instants the API
/// reads, in bodies and query strings alike. A bare date or a time without offset is refused:
/// which zone it meant would be a guess.
/// </summary>
public static partial class Rfc3339
{
    public const string Expectation = "an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00Z";

    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return text is not null && Pattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Pattern();
}
