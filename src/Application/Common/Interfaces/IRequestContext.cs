namespace Integrations.Application.Common.Interfaces;

/// <summary>Who is acting and under which correlation id; set by the host for each request or message.</summary>
public interface IRequestContext
{
    string CorrelationId { get; }
    string? CausationId { get; }
    string Actor { get; }
}

/// <summary>
/// Who caused a write, as <see cref="IRequestContext"/> says: for writes made on behalf of another
/// request than the current scope's (a group commit writes many requests' events in one scope).
/// </summary>
public sealed record RequestOrigin(string CorrelationId, string? CausationId, string Actor)
{
    public static RequestOrigin Of(IRequestContext context) => new(context.CorrelationId, context.CausationId, context.Actor);
}
