using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// Opens a scope for work a background pipeline starts by itself, with no HTTP request or Kafka
/// message behind it: the scope's <see cref="IRequestContext"/> names <paramref name="actor"/>
/// (e.g. "worker:webhook-dispatcher") and a correlation id of its own.
/// </summary>
public interface IWorkScopeFactory
{
    AsyncServiceScope CreateScope(string actor);
}
