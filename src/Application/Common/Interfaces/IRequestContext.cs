namespace Integrations.Application.Common.Interfaces;

/// <summary>Who is acting and under which correlation id; set by the host for each request or message.</summary>
public interface IRequestContext
{
    string CorrelationId { get; }
    string? CausationId { get; }
    string Actor { get; }
}
