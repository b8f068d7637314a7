using Integrations.Application.Inbound.Pipelines;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Inbound;

/// <summary>
/// Deletes finished inbound requests older than <see cref="InboundOptions.Retention"/> (Workers,
/// inbound pipeline), oldest first in bounded statements so a backlog never holds a long lock.
/// Pending requests stay whatever their age: they are not yet processed. Several processes may run
/// it at once: each statement skips the rows another one holds.
/// </summary>
public sealed class InboundRetention(NpgsqlDataSource dataSource, InboundOptions options, ILogger<InboundRetention> logger)
{
    private const int MaxRowsPerStatement = 10_000;

    /// <summary>One pass; returns how many requests were deleted.</summary>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var total = 0;
        int deleted;
        do
        {
            await using var command = dataSource.CreateCommand("""
                delete from inbound_requests where id in (
                    select id from inbound_requests where received_at < now() - @retention and status <> 'pending'
                    order by received_at limit @limit
                    for update skip locked)
                """);
            command.Parameters.AddWithValue("retention", options.Retention);
            command.Parameters.AddWithValue("limit", MaxRowsPerStatement);
            deleted = await command.ExecuteNonQueryAsync(ct);
            total += deleted;
        }
        while (deleted == MaxRowsPerStatement);
        if (total > 0) logger.LogInformation("Purged {Count} inbound requests older than {Retention}", total, options.Retention);
        return total;
    }
}
