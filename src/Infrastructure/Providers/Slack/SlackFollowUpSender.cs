using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Integrations.Application.Connectors.Queries.AnswerSlackCommand;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors.Slack;
using Integrations.Infrastructure.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Providers.Slack;

/// <summary>
/// Posts slash command answers that missed Slack's 3 seconds to their response_url
/// (<see cref="ISlackFollowUps"/>), in the background of the API process that took the command: the
/// lookup again in a scope of its own, then the answer, replacing the "Looking up …" message. Three
/// attempts with backoff; a response_url is good for 30 minutes. Kept in memory: an answer still
/// waiting when the process stops is lost, and the user, who saw the acknowledgement, asks again;
/// nothing is written, so nothing else is lost. The URL goes through the outbound SSRF rules and is
/// never logged (it lets anyone post into the user's Slack).
/// </summary>
public sealed partial class SlackFollowUpSender(IServiceScopeFactory scopes, ILogger<SlackFollowUpSender> logger, Func<bool> allowPrivateNetworkTargets)
    : BackgroundService, ISlackFollowUps
{
    private const int Attempts = 3;
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PostTimeout = TimeSpan.FromSeconds(10);

    // Wait mode: TryWrite never waits, and answers false when the queue is full (DropWrite would answer true and drop it).
    private readonly Channel<SlackFollowUp> _queue = Channel.CreateBounded<SlackFollowUp>(
        new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private readonly HttpClient _client = OutboundHttp.CreateClient(allowPrivateNetworkTargets, PostTimeout);
    private readonly SemaphoreSlim _inFlight = new(8);

    public bool TryQueue(SlackFollowUp followUp) => _queue.Writer.TryWrite(followUp);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var followUp in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await _inFlight.WaitAsync(stoppingToken);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await FollowUpAsync(followUp, stoppingToken);
                    }
                    finally
                    {
                        _inFlight.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running);
    }

    public override void Dispose()
    {
        _client.Dispose();
        _inFlight.Dispose();
        base.Dispose();
    }

    private async Task FollowUpAsync(SlackFollowUp followUp, CancellationToken stoppingToken)
    {
        JsonObject answer;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            using var lookup = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            lookup.CancelAfter(LookupTimeout);
            answer = SlackStatusCommand.Replacing(await scope.ServiceProvider.GetRequiredService<SlackStatusAnswers>()
                .AnswerAsync(followUp.Team, followUp.EntityType, followUp.EntityId, lookup.Token));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogLookupFailed(logger, ex.GetType().Name);
            answer = SlackStatusCommand.Failed(followUp.EntityType, followUp.EntityId);
        }
        for (var attempt = 0; attempt < Attempts && !stoppingToken.IsCancellationRequested; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(Backoff.Exponential(TimeSpan.FromSeconds(1), attempt - 1, TimeSpan.FromSeconds(10), Random.Shared.NextDouble()), stoppingToken);
            if (await PostAsync(followUp.ResponseUrl, answer, stoppingToken)) return;
        }
    }

    private async Task<bool> PostAsync(string responseUrl, JsonObject answer, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PostTimeout);
        try
        {
            using var response = await _client.PostAsJsonAsync(responseUrl, answer, timeout.Token);
            if (response.IsSuccessStatusCode) return true;
            LogPostFailed(logger, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            // 4xx: the URL is used up or expired (Slack: used_url, expired_url); asking again will not help.
            return (int)response.StatusCode is >= 400 and < 500 and not 429;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
        {
            LogPostFailed(logger, ex is HttpRequestException http ? OutboundHttp.Classify(http).ToString() : "timeout");
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack status follow-up: the lookup failed ({Error}); the user is told to try again")]
    private static partial void LogLookupFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack status follow-up: posting to the response URL failed ({Outcome})")]
    private static partial void LogPostFailed(ILogger logger, string outcome);
}
