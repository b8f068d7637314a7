using Marten;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Integrations.IntegrationTests.Persistence;

/// <summary>
/// Marten never changes the schema at run time (AutoCreate.None): migration 0022 holds what it
/// needs. If an upgrade of Marten or a changed store option needs another schema, this fails and
/// says what differs; the difference goes into a new migration.
/// </summary>
public sealed class MartenSchemaTests : PersistenceTestBase
{
    [Fact]
    public async Task The_migrations_create_exactly_the_schema_the_Marten_configuration_expects()
    {
        var store = Services.GetRequiredService<IDocumentStore>();

        var migration = await store.Storage.Database.CreateMigrationAsync();

        var script = new StringWriter();
        migration.WriteAllUpdates(script, new Weasel.Postgresql.PostgresqlMigrator(), JasperFx.AutoCreate.CreateOrUpdate);
        var deltas = string.Join("\n", migration.Deltas.Where(d => d.Difference != Weasel.Core.SchemaPatchDifference.None)
            .Select(d => $"{d.SchemaObject.Identifier}: {d.Difference}"));
        migration.Difference.ShouldBe(Weasel.Core.SchemaPatchDifference.None, $"Marten would change the schema:\n{deltas}\n{script}");
    }
}
