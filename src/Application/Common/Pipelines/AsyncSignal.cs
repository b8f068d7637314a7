namespace Integrations.Application.Common.Pipelines;

/// <summary>
/// "Something may have changed": set by any number of producers, awaited by one consumer that
/// then looks for itself. Sets while nobody waits are remembered once.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _signal = NewSignal();

    public void Set() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Returns when set, after <paramref name="timeout"/>, or when cancelled (without throwing); then re-arms.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var signal = Volatile.Read(ref _signal);
        if (timeout > TimeSpan.Zero) await signal.Task.WaitAsync(timeout, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // Re-armed before the caller looks: a Set from now on is kept for the next wait, and an
        // earlier one changed something the caller is about to see.
        if (signal.Task.IsCompleted) Interlocked.CompareExchange(ref _signal, NewSignal(), signal);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
