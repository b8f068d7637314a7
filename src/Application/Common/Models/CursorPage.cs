namespace Integrations.Application.Common.Models;

public sealed record CursorPage<T>(IReadOnlyList<T> Data, string? NextCursor, string? PreviousCursor, bool HasMore);
