using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure;

/// <summary>Scopes for a pipeline's own work, whose <see cref="RequestContext"/> names the pipeline as the actor.</summary>
public sealed class WorkScopeFactory(IServiceScopeFactory scopes) : IWorkScopeFactory
{
    public AsyncServiceScope CreateScope(string actor)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().Actor = actor;
        return scope;
    }
}
