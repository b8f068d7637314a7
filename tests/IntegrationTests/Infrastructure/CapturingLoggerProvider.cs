using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Integrations.IntegrationTests.Infrastructure;

public sealed record LogEntry(string Category, LogLevel Level, string Message, string Scopes, Exception? Exception);

/// <summary>Keeps every log entry of a host, with its scopes, for tests that check what is logged and how.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            provider._scopes.ForEachScope((scope, list) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object>> pairs) list.AddRange(pairs.Select(p => $"{p.Key}={p.Value}"));
            }, scopes);
            provider.Entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), string.Join(";", scopes), exception));
        }
    }
}
