namespace Integrations.Application.ProductBridge;

/// <summary>How the Workers host delivers commands to tenants' callbacks (configuration section "ProductBridge"; docs/configuration.md).</summary>
public sealed class ProductCallbackOptions
{
    public const string SectionName = "ProductBridge";

    /// <summary>
    /// The longest one command may keep its consumer busy. librdkafka drops a consumer that does not
    /// poll for max.poll.interval.ms (5 minutes), which would hand the batch to another member and
    /// start it again: the settings must leave a margin below it.
    /// </summary>
    public static readonly TimeSpan MaxTimePerCommand = TimeSpan.FromMinutes(4);

    /// <summary>Total time of one attempt: connect, send, response headers and the first 1 KiB of the body.</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts after the first for an answer that may pass later (5xx, 408, 429, no answer); other 4xx are final.</summary>
    public int CallbackRetries { get; set; } = 4;

    /// <summary>The wait before the first retry; each next one doubles it (with jitter), up to <see cref="CallbackMaxRetryDelay"/>. A Retry-After wins, within that cap.</summary>
    public TimeSpan CallbackRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan CallbackMaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed attempts to one tenant's callback, without a success between them (within two minutes), that open its circuit: 0 turns the breaker off, else at least 2.</summary>
    public int CallbackBreakAfterFailures { get; set; } = 5;

    /// <summary>How long an open circuit fails that tenant's commands at once (callback_failed, circuit_open) before one is tried again.</summary>
    public TimeSpan CallbackBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Commands of different records sent at once per Workers process; one record's go one after another, in order.</summary>
    public int CallbackConcurrency { get; set; } = 16;

    /// <summary>The worst a command can take: every attempt timing out, every retry waiting the longest.</summary>
    public TimeSpan WorstCaseTimePerCommand => CallbackTimeout * (CallbackRetries + 1) + CallbackMaxRetryDelay * CallbackRetries;

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Problem() =>
        CallbackTimeout <= TimeSpan.Zero || CallbackRetries < 0 || CallbackRetryDelay < TimeSpan.Zero || CallbackMaxRetryDelay < CallbackRetryDelay
        || CallbackBreakAfterFailures is < 0 or 1 || CallbackBreakDuration < TimeSpan.FromSeconds(0.5) || CallbackConcurrency < 1
            ? "ProductBridge settings are invalid: CallbackTimeout and CallbackConcurrency must be positive, CallbackBreakDuration at least 0.5 s, CallbackRetries 0 or more, CallbackBreakAfterFailures 0 (off) or at least 2, and CallbackMaxRetryDelay at least CallbackRetryDelay."
            : WorstCaseTimePerCommand > MaxTimePerCommand
                ? $"ProductBridge settings let one command take {WorstCaseTimePerCommand.TotalSeconds:F0} s (CallbackTimeout × (CallbackRetries + 1) + CallbackMaxRetryDelay × CallbackRetries); at most {MaxTimePerCommand.TotalSeconds:F0} s is allowed, or the consumer would be dropped from its group."
                : null;
}
