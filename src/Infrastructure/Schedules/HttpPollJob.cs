using System.Net;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Connectors;
using Integrations.Application.Schedules;
using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;
using Integrations.Infrastructure.Connectors;
using Integrations.Infrastructure.Http;
using ScheduledJobException = Integrations.Application.Schedules.ScheduledJobException;

namespace Integrations.Infrastructure.Schedules;

/// <summary>The HTTP client of scheduled jobs: the one outbound factory's, with its SSRF guard (one per process).</summary>
public sealed class ScheduleHttpClient(ConnectorsOptions options, Func<bool> allowPrivateNetworkTargets) : IDisposable
{
    public HttpClient Client { get; } = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.Timeout);

    public TimeSpan Timeout => options.Timeout;

    public void Dispose() => Client.Dispose();
}

/// <summary>
/// <c>http_poll</c>: GETs a JSON endpoint and emits each item whose cursor is past the checkpoint as a
/// <c>sync.item_received</c> event; the largest cursor emitted is the next checkpoint. Through a
/// connection, the request carries its credentials (only to its own origin) and first takes a unit
/// of each of its provider's quotas, waiting for the window to end when one is used up, so a run
/// waits instead of collecting 429s; a 429 that comes anyway (or a 503 saying when to come back) is
/// waited out within the run, a few times. Configuration: <see cref="HttpPollConfig"/>.
/// </summary>
public sealed class HttpPollJob(ScheduleHttpClient http, IUrlSafetyChecker urls, IConnectionAccess connections, QuotaCounters quotas, IClock clock)
    : IScheduledJob
{
    public const string JobKind = "http_poll";
    public const string EventType = Domain.EventTypes.EventTypeCatalog.SyncItemReceived;
    private const int MaxAnswerBytes = 4 * 1024 * 1024;

    /// <summary>How often one run waits out a provider's "too many requests", and the longest such wait; beyond, the run fails.</summary>
    private const int MaxBusyWaits = 3;
    private static readonly TimeSpan MaxBusyWait = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan BusyWaitWithoutHint = TimeSpan.FromSeconds(1);

    public string Kind => JobKind;

    public bool RequiresConnection => false;

    public Task<string> CheckConfigAsync(JsonElement config, ConnectionState? connection, CancellationToken ct) =>
        HttpPollConfig.CheckAsync(config, connection, urls, ct);

    public async Task<JobResult> RunAsync(JobRun run, CancellationToken ct)
    {
        var config = HttpPollConfig.Parse(run.ConfigJson);
        var access = run.ConnectionId is { } connectionId ? await connections.GetAsync(run.TenantId, connectionId, ct) : null;
        using var answer = await GetAsync(run, config, access, ct);
        var items = HttpPollItems.Items(answer.RootElement, config.ItemsPath);
        if (items is not { ValueKind: JsonValueKind.Array } array)
            throw new ScheduledJobException($"The answer has no array of items at {config.ItemsPath ?? "the top or data"}.");

        var fresh = new List<(string Cursor, JsonElement Item)>();
        var read = 0;
        foreach (var item in array.EnumerateArray())
        {
            read++;
            if (HttpPollItems.Scalar(HttpPollItems.At(item, config.CursorField)) is not { } cursor)
                throw new ScheduledJobException($"Item {read - 1} has no {config.CursorField} (a number or text).");
            if (run.Checkpoint is null || HttpPollItems.Compare(cursor, run.Checkpoint) > 0) fresh.Add((cursor, item));
        }
        var emitted = fresh.OrderBy(f => f.Cursor, Comparer<string>.Create(HttpPollItems.Compare)).Take(config.MaxItems).ToList();
        var events = emitted.Select(f => new EmittedEvent(EventType, JsonSerializer.SerializeToElement(new
        {
            schedule_id = run.ScheduleId, run_id = run.RunId, connection_id = run.ConnectionId,
            item_id = HttpPollItems.Scalar(HttpPollItems.At(f.Item, config.IdField)), cursor = f.Cursor, item = f.Item,
        }))).ToList();
        return new JobResult(events, read, emitted.Count > 0 ? emitted[^1].Cursor : run.Checkpoint);
    }

    private async Task<JsonDocument> GetAsync(JobRun run, HttpPollConfig config, ConnectionAccess? access, CancellationToken ct)
    {
        var renewed = false;
        var busyWaits = 0;
        while (true)
        {
            if (access is not null) await WaitForQuotaAsync(access, ct);
            var (url, authenticated) = Target(config, access);
            if (config.CursorParam is { } param && run.Checkpoint is { } checkpoint)
                url = new Uri(url + (url.Query.Length > 0 ? "&" : "?") + $"{Uri.EscapeDataString(param)}={Uri.EscapeDataString(checkpoint)}");
            using var request = Request(url, authenticated ? access!.Credentials : null);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(http.Timeout);
            HttpResponseMessage response;
            try
            {
                response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (HttpRequestException ex)
            {
                throw new ScheduledJobException($"GET {url.GetLeftPart(UriPartial.Path)} got no answer ({OutboundHttp.Classify(ex)}).");
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ScheduledJobException($"GET {url.GetLeftPart(UriPartial.Path)} timed out after {http.Timeout.TotalSeconds:0.#} s.");
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && access is not null && !renewed)
                {
                    renewed = true;
                    access = await connections.RenewAsync(access, ct);
                    continue;
                }
                if (BusyWait(response, access, busyWaits) is { } wait)
                {
                    busyWaits++;
                    await Task.Delay(wait, ct);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    var excerpt = await OutboundHttp.ReadExcerptAsync(response, timeout.Token, 200);
                    throw new ScheduledJobException($"GET {url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}: {excerpt}");
                }
                if (response.Content.Headers.ContentLength > MaxAnswerBytes) throw new ScheduledJobException($"The answer is over {MaxAnswerBytes / 1024 / 1024} MiB.");
                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                try
                {
                    return await JsonDocument.ParseAsync(new CappedStream(body, MaxAnswerBytes), cancellationToken: timeout.Token);
                }
                catch (JsonException)
                {
                    throw new ScheduledJobException("The answer is not JSON.");
                }
            }
        }
    }

    /// <summary>
    /// How long to wait before asking again after a 429 (Retry-After or the provider's reset header;
    /// a second without either), or a 503 that says when; null to fail the run instead: another
    /// answer, waits used up, or a wait beyond <see cref="MaxBusyWait"/>.
    /// </summary>
    private TimeSpan? BusyWait(HttpResponseMessage response, ConnectionAccess? access, int waited)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || waited >= MaxBusyWaits) return null;
        var now = clock.UtcNow;
        var signal = RateLimitSignals.Read(name => OutboundHttp.Header(response, name), access?.Provider.Limits.Headers ?? RateLimitHeaders.None, now);
        TimeSpan? wait = signal.NotBefore(now) is { } at ? at - now
            : response.StatusCode == HttpStatusCode.TooManyRequests ? BusyWaitWithoutHint : null;
        return wait is { } w && w <= MaxBusyWait ? (w > TimeSpan.Zero ? w : TimeSpan.Zero) : null;
    }

    /// <summary>One unit of every quota of the connection's provider; while one is used up, the run waits for its window to end.</summary>
    private async Task WaitForQuotaAsync(ConnectionAccess access, CancellationToken ct)
    {
        while (await quotas.TryTakeAsync(access.ConnectionId, access.Provider, null, ct) is { } exhausted)
        {
            var wait = exhausted.Until - clock.UtcNow;
            await Task.Delay(wait > TimeSpan.FromMilliseconds(20) ? wait : TimeSpan.FromMilliseconds(20), ct);
        }
    }

    private static (Uri Url, bool Authenticated) Target(HttpPollConfig config, ConnectionAccess? access)
    {
        if (access is null) return (new Uri(config.Url!, UriKind.Absolute), false);
        return ConnectorCallSender.Target(new PreparedRequest("GET", config.Url, config.Path, new Dictionary<string, string>(), null), access);
    }

    private static HttpRequestMessage Request(Uri url, CallCredentials? credentials)
    {
        if (credentials is { Query.Count: > 0 })
            url = new Uri(url + (url.Query.Length > 0 ? "&" : "?") + string.Join('&', credentials.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")));
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", "Integrations-Schedules/1");
        if (credentials is not null)
            foreach (var (name, value) in credentials.Headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>Reads at most a limit, then fails: an endless answer cannot exhaust memory.</summary>
    private sealed class CappedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            if ((_read += n) > limit) throw new ScheduledJobException($"The answer is over {limit / 1024 / 1024} MiB.");
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
