using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Builds every Kafka client from <see cref="KafkaOptions"/>, with librdkafka's logs and errors
/// routed to <see cref="ILogger"/>. The configurations themselves are never logged: they hold the
/// SASL password.
/// </summary>
public sealed class KafkaClientFactory(IOptions<KafkaOptions> options, ILoggerFactory loggerFactory)
{
    private readonly KafkaOptions _options = options.Value;

    public ProducerConfig ProducerConfig()
    {
        var config = new ProducerConfig
        {
            // Acknowledged by all in-sync replicas, no duplicates or reordering from the producer's own retries.
            Acks = Acks.All,
            EnableIdempotence = true,
            // The relay produces a whole round in one loop and then awaits it: 1 ms batches that round
            // as well as a longer wait would, and adds less to every event's latency.
            LingerMs = 1,
            CompressionType = CompressionType.Lz4,
            MessageTimeoutMs = _options.MessageTimeoutMs,
        };
        return Complete(config);
    }

    public ConsumerConfig ConsumerConfig(string groupId)
    {
        var config = new ConsumerConfig
        {
            GroupId = groupId,
            // Offsets are committed by KafkaBatchConsumerService only after the handler succeeded.
            EnableAutoCommit = false,
            // A new group starts from the oldest message: nothing published before it existed is skipped.
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = _options.SessionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(100, _options.SessionTimeoutMs / 3),
        };
        return Complete(config);
    }

    public AdminClientConfig AdminClientConfig() => Complete(new AdminClientConfig());

    public IProducer<string, string> CreateProducer(Action<Error>? onFatalError = null)
    {
        var logger = loggerFactory.CreateLogger("Integrations.Kafka.Producer");
        return new ProducerBuilder<string, string>(ProducerConfig())
            .SetLogHandler((_, message) => Log(logger, message))
            .SetErrorHandler((_, error) =>
            {
                LogError(logger, error);
                if (error.IsFatal) onFatalError?.Invoke(error);
            })
            .Build();
    }

    /// <summary>The caller adds its rebalance handlers through <paramref name="configure"/>.</summary>
    public IConsumer<string, string> CreateConsumer(string groupId, Action<ConsumerBuilder<string, string>> configure)
    {
        var logger = loggerFactory.CreateLogger("Integrations.Kafka.Consumer");
        var builder = new ConsumerBuilder<string, string>(ConsumerConfig(groupId))
            .SetLogHandler((_, message) => Log(logger, message))
            .SetErrorHandler((_, error) => LogError(logger, error));
        configure(builder);
        return builder.Build();
    }

    public IAdminClient CreateAdminClient()
    {
        var logger = loggerFactory.CreateLogger("Integrations.Kafka.Admin");
        return new AdminClientBuilder(AdminClientConfig())
            .SetLogHandler((_, message) => Log(logger, message))
            .SetErrorHandler((_, error) => LogError(logger, error))
            .Build();
    }

    private T Complete<T>(T config) where T : ClientConfig
    {
        config.BootstrapServers = _options.BootstrapServers;
        config.ClientId = _options.ClientId;
        if (_options.SecurityProtocol is { } protocol) config.SecurityProtocol = protocol;
        if (_options.SaslMechanism is { } mechanism) config.SaslMechanism = mechanism;
        if (!string.IsNullOrEmpty(_options.SaslUsername)) config.SaslUsername = _options.SaslUsername;
        if (!string.IsNullOrEmpty(_options.SaslPassword)) config.SaslPassword = _options.SaslPassword;
        if (!string.IsNullOrEmpty(_options.SslCaLocation)) config.SslCaLocation = _options.SslCaLocation;
        foreach (var (key, value) in _options.Settings) config.Set(key, value);
        return config;
    }

    private static void Log(ILogger logger, LogMessage message)
    {
        var level = message.Level switch
        {
            // Settings go to every client, so a consumer property reaching the producer is expected.
            _ when message.Facility == "CONFWARN" && message.Message.Contains("will be ignored by this", StringComparison.Ordinal) => LogLevel.Debug,
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Error,
            SyslogLevel.Error or SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        logger.Log(level, "librdkafka {Client} {Facility}: {Message}", message.Name, message.Facility, message.Message);
    }

    private static void LogError(ILogger logger, Error error)
    {
        if (error.IsFatal) logger.LogCritical("Kafka fatal error {Code}: {Reason}", error.Code, error.Reason);
        // librdkafka's own log line already reported the failed connection.
        else if (error.Code == ErrorCode.Local_Transport) logger.LogDebug("Kafka error {Code}: {Reason}", error.Code, error.Reason);
        // Transient errors (brokers down, timeouts) are retried by librdkafka itself.
        else logger.LogWarning("Kafka error {Code}: {Reason}", error.Code, error.Reason);
    }
}
