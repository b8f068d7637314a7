using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.EventStore;

/// <summary>
/// Marten's own logging, quieted: a failed batch is reported by whoever called the store (the
/// event store port rethrows it; the use case logs it at the level its cause deserves: a conflict
/// or a client's unstorable text as information, an outage as a warning), so Marten only notes it
/// at debug. Statements are never logged with their parameters: they carry protected secrets.
/// </summary>
internal sealed class MartenLogger(ILogger<MartenLogger> logger) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Marten changed the schema: {Sql}", sql);

    public void LogSuccess(NpgsqlCommand command)
    {
    }

    public void LogSuccess(NpgsqlBatch batch)
    {
    }

    public void LogFailure(NpgsqlCommand command, Exception ex) => LogFailure(ex, "Marten command failed");

    public void LogFailure(NpgsqlBatch batch, Exception ex) => LogFailure(ex, "Marten batch failed");

    public void LogFailure(Exception ex, string message) =>
        logger.LogDebug("{Message}: {Reason}", message, (ex as PostgresException)?.SqlState ?? ex.GetType().Name);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
    {
    }

    public void OnBeforeExecute(NpgsqlCommand command)
    {
    }

    public void OnBeforeExecute(NpgsqlBatch batch)
    {
    }
}
