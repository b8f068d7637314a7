using Integrations.Domain.Common;
using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.ProductBridge;
using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Integrations.Domain.ProductBridge;
using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Webhooks.Delivery;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;

namespace Integrations.Infrastructure.ProductBridge;

/// <summary>
/// <see cref="IProductCallbackSender"/> on the webhooks' own parts: <see cref="WebhookSender"/> sends
/// (SSRF rules at connect time, no redirects, no proxy, the first 1 KiB of the answer) and
/// <see cref="WebhookSignature"/> signs (Standard Webhooks; webhook-id is the command id), so a
/// callback receiver verifies exactly as a webhook receiver does. Polly retries what may pass later
/// (no answer, 408, 429, 5xx) with jittered exponential backoff, honouring Retry-After within the
/// cap, and keeps a circuit breaker per tenant: a callback that failed
/// ProductBridge:CallbackBreakAfterFailures attempts in a row fails that tenant's next commands at
/// once (circuit_open) for ProductBridge:CallbackBreakDuration, so a dead callback costs one
/// command's retries, not every command's, and never holds the consumer past its poll interval.
/// </summary>
public sealed class ProductCallbackSender : IProductCallbackSender, IDisposable
{
    public const string CircuitOpen = "circuit_open";

    /// <summary>No configured key decrypts the callback's secret (Secrets:EncryptionKey changed without the old one kept).</summary>
    public const string SecretUnreadable = "secret_unreadable";

    /// <summary>How far back the breaker looks for the failures in a row that open it.</summary>
    private static readonly TimeSpan BreakerWindow = TimeSpan.FromMinutes(2);

    private readonly WebhookSender _sender;
    private readonly ISecretProtector _protector;
    private readonly IClock _clock;
    private readonly ProductCallbackOptions _options;
    private readonly ResiliencePipelineRegistry<Guid> _pipelines = new();

    public ProductCallbackSender(ProductCallbackOptions options, bool allowPrivateNetworkTargets, ISecretProtector protector, IClock clock)
    {
        _options = options;
        _protector = protector;
        _clock = clock;
        _sender = new WebhookSender(new WebhookDispatcherOptions { Timeout = options.CallbackTimeout, AllowPrivateNetworkTargets = allowPrivateNetworkTargets }, clock);
    }

    public async Task<CallbackOutcome> SendAsync(ProductCallbackState callback, Guid commandId, string body, CancellationToken ct)
    {
        if (WebhookUrlPolicy.CheckSyntax(callback.Url, out var url) is not null) return new CallbackOutcome(false, 0, null, SendErrorKinds.SsrfBlocked);
        var bytes = Encoding.UTF8.GetBytes(body);
        // Not a reason to hold up the partition (other tenants' commands) until an operator restores the key: this command's callback fails.
        if (Key(callback.CurrentSecret) is not { } current) return new CallbackOutcome(false, 0, null, SecretUnreadable);
        // A previous secret no key decrypts any more simply stops signing.
        var previous = callback.PreviousSecret is { } protectedPrevious ? Key(protectedPrevious) : null;
        var attempts = 0;
        SendResult? last = null;
        try
        {
            last = await Pipeline(callback.TenantId).ExecuteAsync(async token =>
            {
                attempts++;
                // Signed per attempt: each has its own timestamp, with the secrets still signing at that moment (an overlap may end during the retries).
                var now = _clock.UtcNow;
                var keys = previous is not null && callback.SigningSecrets(now).Count > 1 ? [current, previous] : new[] { current };
                var timestamp = now.ToUnixTimeSeconds();
                var signature = WebhookSignature.Header(commandId.ToString(), timestamp, bytes, keys);
                return last = await _sender.SendAsync(new WebhookRequest(url!, commandId, timestamp, signature, bytes), token);
            }, ct);
        }
        catch (BrokenCircuitException)
        {
            // Failed often in a row just now (maybe by this very command): not tried again until the break is over.
            return new CallbackOutcome(false, attempts, last?.StatusCode, last is null ? CircuitOpen : last.ErrorKind);
        }
        return new CallbackOutcome(IsSuccess(last), attempts, last.StatusCode, last.ErrorKind);
    }

    public void Dispose()
    {
        _sender.Dispose();
        _pipelines.Dispose();
    }

    private static bool IsSuccess(SendResult result) => result.StatusCode is >= 200 and < 300;

    private byte[]? Key(string protectedSecret)
    {
        try
        {
            return WebhookSignature.SecretKey(_protector.Unprotect(protectedSecret));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Worth trying again: no answer (but an SSRF refusal stays one), 408, 429 or 5xx. Any other
    /// answer is the receiver's verdict on this command (a 400 refuses it, a 3xx points elsewhere).
    /// </summary>
    public static bool IsRetryable(SendResult result) => result.StatusCode switch
    {
        null => result.ErrorKind != SendErrorKinds.SsrfBlocked,
        408 or 429 or >= 500 => true,
        _ => false,
    };

    private ResiliencePipeline<SendResult> Pipeline(Guid tenantId) => _pipelines.GetOrAddPipeline<SendResult>(tenantId, builder =>
    {
        var retryable = new PredicateBuilder<SendResult>().HandleResult(IsRetryable);
        if (_options.CallbackRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<SendResult>
            {
                ShouldHandle = retryable,
                MaxRetryAttempts = _options.CallbackRetries,
                // The receiver's Retry-After (seconds or a date), within the cap; otherwise the backoff.
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Result?.RetryAfter is { } wait
                    ? (wait < _options.CallbackMaxRetryDelay ? wait : _options.CallbackMaxRetryDelay)
                    : Backoff.Exponential(_options.CallbackRetryDelay, args.AttemptNumber, _options.CallbackMaxRetryDelay, Random.Shared.NextDouble())),
            });
        }
        if (_options.CallbackBreakAfterFailures > 0)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<SendResult>
            {
                ShouldHandle = retryable,
                // Every attempt in the window failed, and there were at least this many.
                FailureRatio = 1.0,
                MinimumThroughput = _options.CallbackBreakAfterFailures,
                SamplingDuration = BreakerWindow,
                BreakDuration = _options.CallbackBreakDuration,
            });
        }
    });
}
