using System.Threading.Channels;
using Integrations.Application.Common.Interfaces;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connectors.Pipelines.Calls;

/// <summary>
/// The record step: finished runs go through a channel to writers that record them in batches of
/// up to Connectors:ResultBatchSize, each one <see cref="RecordCallResultsCommand"/> (one transaction,
/// retried when it loses a race), as the actor <see cref="ConnectionAccessCache.Actor"/>. A batch that
/// keeps failing is recorded one call at a time; a result that cannot be recorded is dropped, and
/// its call goes again when its lease runs out (same idempotency key).
/// </summary>
public sealed class CallResultRecorder(IWorkScopeFactory scopes, ConnectorCallsState state, ConnectorsOptions options, ILogger<CallResultRecorder> logger)
{
    private const int Writers = 2;
    private const int RecordAttempts = 3;
    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<CompletedCall> _results = Channel.CreateUnbounded<CompletedCall>();

    public void Add(CompletedCall completed) => _results.Writer.TryWrite(completed);

    /// <summary>Starts the writers; they return once <see cref="Complete"/> was called and everything added is written.</summary>
    public IReadOnlyList<Task> StartWriters() => Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteAsync, CancellationToken.None)).ToList();

    public void Complete() => _results.Writer.TryComplete();

    private async Task WriteAsync()
    {
        var batch = new List<CompletedCall>(options.ResultBatchSize);
        while (await _results.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.ResultBatchSize && _results.Reader.TryRead(out var completed)) batch.Add(completed);
            await RecordAsync(batch);
            batch.Clear();
        }
    }

    private async Task RecordAsync(List<CompletedCall> batch)
    {
        var abort = state.Dispatch.Aborting;
        for (var attempt = 1; attempt <= RecordAttempts; attempt++)
        {
            try
            {
                await SendAsync(batch, abort);
                return;
            }
            catch (Exception ex) when (!state.Dispatch.Aborted)
            {
                logger.LogWarning(ex, "Recording {Count} connector call results failed (attempt {Attempt} of {Max})", batch.Count, attempt, RecordAttempts);
                await Task.Delay(ErrorDelay * attempt, abort).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception) when (state.Dispatch.Aborted)
            {
                return;
            }
        }
        if (batch.Count == 1) return;
        foreach (var single in batch)
        {
            try
            {
                await SendAsync([single], abort);
            }
            catch (Exception ex) when (!state.Dispatch.Aborted)
            {
                logger.LogError(ex, "Recording connector call {CallId} failed; it goes again when its lease runs out", single.Call.Id);
            }
        }
    }

    private async Task SendAsync(IReadOnlyList<CompletedCall> batch, CancellationToken abort)
    {
        await using var scope = scopes.CreateScope(ConnectionAccessCache.Actor);
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RecordCallResultsCommand(batch), abort);
    }
}
