namespace Integrations.Application.Common.Pipelines;

/// <summary>
/// What the dispatch steps of one Workers instance share: how many work items (deliveries, connector calls) it holds (in flight,
/// or waiting for their rate-limit slot or a connection), the signal that wakes the claim loop, and
/// the abort that cuts off requests in flight and result writes, which comes only when the host's
/// shutdown timeout runs out.
/// </summary>
public sealed class DispatchState
{
    private readonly AsyncSignal _work = new();
    private readonly CancellationTokenSource _abort = new();
    // Set while the loop waits for requests to finish; only then does a finished request wake it.
    private volatile bool _waitingForCapacity;
    private int _inFlight;

    /// <summary>Deliveries this instance holds: in flight, or waiting for their rate-limit slot or a connection.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public CancellationToken Aborting => _abort.Token;

    public bool Aborted => _abort.IsCancellationRequested;

    public void Abort() => _abort.Cancel();

    /// <summary>Something may be due now (new deliveries, released ones): the claim loop looks at once.</summary>
    public void Wake() => _work.Set();

    /// <summary>Until woken, <paramref name="timeout"/> or cancellation (without throwing).</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _work.WaitAsync(timeout, ct);

    /// <summary>
    /// Waits until requests finish (or <paramref name="timeout"/>) while fewer than <paramref name="worthClaiming"/>
    /// of <paramref name="capacity"/> are free; each finished request wakes it only while it waits.
    /// </summary>
    public async Task WaitForCapacityAsync(int capacity, int worthClaiming, TimeSpan timeout, CancellationToken ct)
    {
        _waitingForCapacity = true;
        // A request that finished before the flag was up did not signal: look once more before waiting.
        if (capacity - InFlight < worthClaiming) await _work.WaitAsync(timeout, ct);
        _waitingForCapacity = false;
    }

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Finished()
    {
        Interlocked.Decrement(ref _inFlight);
        if (_waitingForCapacity) _work.Set();
    }
}
