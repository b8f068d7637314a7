using Integrations.Application.Connectors;

namespace Integrations.Infrastructure.Connectors;

/// <summary>The actions the providers of this platform offer (each provider's folder registers its own).</summary>
public sealed class ConnectorActions(IEnumerable<IConnectorAction> actions) : IConnectorActions
{
    private readonly Dictionary<string, IConnectorAction> _byName = actions.ToDictionary(a => a.Name, StringComparer.Ordinal);

    public IConnectorAction? Find(string name) => _byName.GetValueOrDefault(name);
}
