using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Pipelines.Calls;
using Integrations.Domain.Connectors;
using Integrations.Infrastructure.Http;
using Polly;
using Polly.CircuitBreaker;

namespace Integrations.Infrastructure.Connectors;

/// <summary>
/// Sends connector calls (<see cref="IConnectorCallSender"/>): each attempt through the connection's
/// pipeline (<see cref="ConnectorResilience"/>), its quotas taken first (<see cref="QuotaCounters"/>),
/// on a client of the one outbound HTTP factory (<see cref="OutboundHttp"/>, the webhooks' SSRF
/// rules). The request is the prepared one plus the connection's credentials, which go only to the
/// connection's own origin, and the call's id as Idempotency-Key. A 401 renews the credentials once
/// and sends again. The attempt log gets the method and the URL without its query, never a header.
/// </summary>
public sealed class ConnectorCallSender : IConnectorCallSender, IDisposable
{
    public const string UserAgent = "Integrations-Connectors/1";

    private readonly HttpClient _client;
    private readonly ConnectorResilience _resilience;
    private readonly QuotaCounters _quotas;
    private readonly IClock _clock;

    public ConnectorCallSender(ConnectorResilience resilience, QuotaCounters quotas, ConnectorsOptions options, IClock clock, Func<bool> allowPrivateNetworkTargets)
    {
        _resilience = resilience;
        _quotas = quotas;
        _clock = clock;
        _client = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.Timeout);
    }

    public async Task<CallRun> RunAsync(ClaimedCall call, ConnectionAccess access, int attemptsLeft, bool keepAnswer,
        Func<ConnectionAccess, CancellationToken, Task<ConnectionAccess>> renew, CancellationToken abort)
    {
        var attempts = new List<CallAttemptRecord>();
        var run = new Run(call, access, renew, attempts) { KeepAnswer = keepAnswer };
        var pipeline = _resilience.For(call.ConnectionId, call.TenantId, call.Provider);
        var context = ResilienceContextPool.Shared.Get(abort);
        context.Properties.Set(ConnectorResilience.AttemptsLeft, attemptsLeft);
        try
        {
            var result = await pipeline.ExecuteAsync(static (ctx, state) => state.Sender.AttemptAsync(state.Run, ctx.CancellationToken, state.Abort),
                context, (Sender: this, Run: run, Abort: abort));
            return result.Quota is { } quota
                ? new CallRun(attempts, new CallRunEnd.QuotaWait(quota.Until, quota.ProviderWide))
                : new CallRun(attempts, new CallRunEnd.Attempted(result.Outcome, result.NotBefore), run.Answer);
        }
        catch (BrokenCircuitException ex)
        {
            var until = _clock.UtcNow + (ex.RetryAfter ?? TimeSpan.FromSeconds(1));
            attempts.Add(Wait(call, run.Access, CallErrorKinds.CircuitOpen));
            return new CallRun(attempts, new CallRunEnd.CircuitOpen(until));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public void Dispose() => _client.Dispose();

    private async ValueTask<AttemptResult> AttemptAsync(Run run, CancellationToken attemptToken, CancellationToken abort)
    {
        if (await _quotas.TryTakeAsync(run.Call.ConnectionId, run.Access.Provider, run.Call.Request.PaceKey, abort) is { } exhausted)
        {
            run.Attempts.Add(Wait(run.Call, run.Access, CallErrorKinds.QuotaWait));
            return new AttemptResult(new CallAttemptOutcome(null, CallErrorKinds.QuotaWait), exhausted.Until, exhausted);
        }
        var result = await SendAsync(run, attemptToken, abort);
        if (!Unauthorized(result.Outcome) || run.Renewed) return result;
        // Refused credentials: renewed once (a refresh, unless a newer version is stored already), then the same request again.
        run.Renewed = true;
        try
        {
            run.Access = await run.Renew(run.Access, abort);
        }
        catch (ConnectionUnusableException)
        {
            return result;
        }
        return await SendAsync(run, attemptToken, abort);
    }

    /// <summary>A 401, or a 2xx whose body says the token is not accepted (Slack's token_expired): worth one renewal.</summary>
    private static bool Unauthorized(CallAttemptOutcome outcome) =>
        outcome.StatusCode == (int)HttpStatusCode.Unauthorized || (outcome.StatusCode is >= 200 and < 300 && outcome.ErrorKind == CallErrorKinds.Auth);

    private async Task<AttemptResult> SendAsync(Run run, CancellationToken attemptToken, CancellationToken abort)
    {
        var target = Target(run.Call.Request, run.Access);
        var startedAt = _clock.UtcNow;
        var clock = Stopwatch.StartNew();
        var summary = ConnectorCallPolicy.Summary(target.Url);
        run.Answer = null;
        try
        {
            using var request = Build(run.Call, target.Url, target.Authenticated ? run.Access.Credentials : null);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptToken);
            string? excerpt;
            if (run.KeepAnswer)
            {
                (excerpt, run.Answer) = await ReadAnswerAsync(response, attemptToken);
            }
            else excerpt = await OutboundHttp.ReadExcerptAsync(response, attemptToken);
            var outcome = CallAttemptOutcome.Answered((int)response.StatusCode);
            // Providers that answer errors with 200 (Slack's ok:false): the body decides.
            if (outcome.Succeeded && run.Access.Provider.BodyErrors?.Read(excerpt) is { } refused)
                outcome = CallAttemptOutcome.RefusedInBody((int)response.StatusCode, refused);
            run.Attempts.Add(new CallAttemptRecord(true, request.Method.Method, summary, startedAt, Elapsed(clock), outcome.StatusCode, outcome.ErrorKind, excerpt));
            var signal = RateLimitSignals.Read(name => OutboundHttp.Header(response, name), run.Access.Provider.Limits.Headers, startedAt);
            if (!outcome.Succeeded && DayUsedUp(response, run.Access, startedAt) is { } dayReset)
                return new AttemptResult(outcome, dayReset, new QuotaExhausted(dayReset, false));
            return new AttemptResult(outcome, outcome.Succeeded ? null : signal.NotBefore(_clock.UtcNow));
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            return Failed(run, summary, startedAt, clock, CallErrorKinds.Timeout);
        }
        catch (HttpRequestException ex)
        {
            var kind = OutboundHttp.Classify(ex) switch
            {
                OutboundFailure.SsrfBlocked => CallErrorKinds.SsrfBlocked,
                OutboundFailure.Timeout => CallErrorKinds.Timeout,
                _ => CallErrorKinds.Connection,
            };
            return Failed(run, summary, startedAt, clock, kind);
        }
    }

    /// <summary>When the provider's long window (<see cref="Domain.Connections.CallLimits.DayHeaders"/>) resets, if the answer says none of it remains.</summary>
    private DateTimeOffset? DayUsedUp(HttpResponseMessage response, ConnectionAccess access, DateTimeOffset startedAt)
    {
        if (access.Provider.Limits.DayHeaders is not { } day) return null;
        var signal = RateLimitSignals.Read(name => OutboundHttp.Header(response, name), day, startedAt);
        var now = _clock.UtcNow;
        return signal.Remaining is <= 0 && signal.ResetAt is { } reset && reset > now ? (reset - now > RateLimitSignals.MaxWait ? now + RateLimitSignals.MaxWait : reset) : null;
    }

    /// <summary>
    /// The whole answer, up to <see cref="IFollowingConnectorAction.MaxAnswerBytes"/> (null beyond: an action must not
    /// decide on half a document), and its first KiB for the attempt log as every answer has.
    /// </summary>
    private static async Task<(string? Excerpt, string? Answer)> ReadAnswerAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await OutboundHttp.ReadExcerptAsync(response, ct, IFollowingConnectorAction.MaxAnswerBytes + 1);
        if (body is null) return (null, null);
        var bytes = Encoding.UTF8.GetBytes(body);
        var excerpt = bytes.Length <= OutboundHttp.ExcerptBytes ? body : Encoding.UTF8.GetString(bytes, 0, OutboundHttp.ExcerptBytes);
        return (excerpt, bytes.Length > IFollowingConnectorAction.MaxAnswerBytes ? null : body);
    }

    private AttemptResult Failed(Run run, string summary, DateTimeOffset startedAt, Stopwatch clock, string kind)
    {
        run.Attempts.Add(new CallAttemptRecord(true, run.Call.Request.Method, summary, startedAt, Elapsed(clock), null, kind, null));
        return new AttemptResult(CallAttemptOutcome.Failed(kind), null);
    }

    /// <summary>
    /// Where the request goes, and whether it carries the connection's credentials: a path goes
    /// below the connection's base URL with them; an absolute URL gets them only on the base URL's
    /// origin (scheme, host and port), so a route cannot send a connection's tokens elsewhere.
    /// </summary>
    internal static (Uri Url, bool Authenticated) Target(PreparedRequest prepared, ConnectionAccess access)
    {
        if (prepared.Url is { } absolute)
        {
            var url = new Uri(absolute, UriKind.Absolute);
            return (url, Uri.Compare(url, access.BaseUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);
        }
        var root = access.BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        // {account} in a path is the connection's account (Exact Online's division when a route names none).
        var below = new Uri(root + prepared.Path!.Replace(PreparedRequest.AccountSegment, Uri.EscapeDataString(access.ExternalAccountId), StringComparison.Ordinal), UriKind.Absolute);
        // Defence in depth: a path that normalised out of the base URL's path gets no credentials.
        var basePath = access.BaseUrl.AbsolutePath.TrimEnd('/');
        return (below, below.AbsolutePath == basePath || below.AbsolutePath.StartsWith(basePath + "/", StringComparison.Ordinal));
    }

    private static HttpRequestMessage Build(ClaimedCall call, Uri url, CallCredentials? credentials)
    {
        var prepared = call.Request;
        if (credentials is { Query.Count: > 0 })
        {
            var query = string.Join('&', credentials.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
            url = new Uri(url + (url.Query.Length > 0 ? "&" : "?") + query);
        }
        var request = new HttpRequestMessage(new HttpMethod(prepared.Method), url);
        if (prepared.Body is { } body)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        foreach (var (name, value) in prepared.Headers) request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", call.Id.ToString());
        if (credentials is not null)
            foreach (var (name, value) in credentials.Headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static CallAttemptRecord Wait(ClaimedCall call, ConnectionAccess access, string kind) =>
        new(false, call.Request.Method, ConnectorCallPolicy.Summary(Target(call.Request, access).Url), DateTimeOffset.UtcNow, 0, null, kind, null);

    private static int Elapsed(Stopwatch clock) => (int)Math.Min(int.MaxValue, clock.ElapsedMilliseconds);

    /// <summary>One run's state across its attempts: the access may be renewed once.</summary>
    private sealed class Run(ClaimedCall call, ConnectionAccess access, Func<ConnectionAccess, CancellationToken, Task<ConnectionAccess>> renew,
        List<CallAttemptRecord> attempts)
    {
        public ClaimedCall Call { get; } = call;

        public ConnectionAccess Access { get; set; } = access;

        public Func<ConnectionAccess, CancellationToken, Task<ConnectionAccess>> Renew { get; } = renew;

        public List<CallAttemptRecord> Attempts { get; } = attempts;

        public bool Renewed { get; set; }

        public bool KeepAnswer { get; init; }

        /// <summary>The last attempt's whole answer, when kept.</summary>
        public string? Answer { get; set; }
    }
}
