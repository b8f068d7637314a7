using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Integrations.Infrastructure.Persistence;

/// <summary>
/// Applies the schema before the host serves anything (hosted services start before the web server
/// and in registration order). Off with Database:ApplyMigrations=false where a release step migrates.
/// </summary>
public sealed class MigrationHostedService(DatabaseMigrator migrator, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.GetValue("Database:ApplyMigrations", true)) await migrator.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
