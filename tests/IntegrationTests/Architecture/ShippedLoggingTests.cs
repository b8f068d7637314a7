using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace Integrations.IntegrationTests.Architecture;

/// <summary>What a deployment of each host logs with its shipped appsettings.json (docs/configuration.md).</summary>
public class ShippedLoggingTests
{
    [Theory]
    [InlineData("Api")]
    [InlineData("Workers")]
    public void Sql_statements_are_left_out_and_the_platforms_own_information_is_logged(string host)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(Infrastructure.TestEnvironment.RepositoryRoot(), "src", host, "appsettings.json")).Build();
        using var factory = LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddProvider(new EveryLevel()));

        // Npgsql logs each statement it runs at Information: about 40 entries per event at a steady rate.
        factory.CreateLogger("Npgsql.Command").IsEnabled(LogLevel.Information).ShouldBeFalse();
        factory.CreateLogger("Npgsql.Command").IsEnabled(LogLevel.Warning).ShouldBeTrue();
        factory.CreateLogger("Integrations.Application.Common.Behaviours.LoggingBehaviour").IsEnabled(LogLevel.Information).ShouldBeTrue();
    }

    /// <summary>A provider that would write everything: what is enabled is decided by the configuration's filters alone.</summary>
    private sealed class EveryLevel : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }
}
