using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure;

/// <summary>The per-scope context; the host fills it from the HTTP request or the Kafka message it handles.</summary>
public sealed class RequestContext : IRequestContext
{
    public string CorrelationId { get; set; } = Guid.NewGuid().ToString("N");

    public string? CausationId { get; set; }

    public string Actor { get; set; } = "system";
}
