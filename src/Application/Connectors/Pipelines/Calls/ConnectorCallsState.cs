using Integrations.Application.Common.Pipelines;

namespace Integrations.Application.Connectors.Pipelines.Calls;

/// <summary>What the steps of the call pipeline of one Workers process share: its calls held, its wake-up signal and its abort.</summary>
public sealed class ConnectorCallsState
{
    public DispatchState Dispatch { get; } = new();
}
