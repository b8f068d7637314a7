using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Integrations.Application;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Commands.RotateCredentialKeys;
using Integrations.Application.Connections.Credentials;
using Integrations.Bench;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Security;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// The cost of keeping connection credentials in the vault (ADR 0014): the envelope alone (a fresh
// data key, AES-256-GCM, the data key wrapped under the KEK) beside the secret protector's direct
// AES-GCM; the vault's store, read and compare-and-swap replace on PostgreSQL beside a plain row of
// the same size; and a KEK rotation's re-wrap rate.
//   bench/run.sh CredentialVault [iterations]
var iterations = args.Length > 0 ? int.Parse(args[0]) : 5_000;
var rotationRows = iterations * 4;
var credential = ConnectionCredential.OAuth2("ya29." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(150)),
    "1//" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(75)), DateTimeOffset.UtcNow.AddHours(1), ["crm.read", "crm.write", "offline_access"],
    new Dictionary<string, string> { ["instance_url"] = "https://acme.my.example.com", ["token_type"] = "Bearer" });
var plaintext = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { access = credential.AccessToken!.Reveal(), refresh = credential.RefreshToken!.Reveal() }));

var (server, dataSource) = await Measure.FreshDatabaseAsync();
await using var _ = server;
await using var __ = dataSource;
var oldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
await using var services = Services(dataSource.ConnectionString, oldKey, previousKey: null);

var envelope = services.GetRequiredService<CredentialEnvelope>();
var protector = services.GetRequiredService<ISecretProtector>();
var (tenant, connection) = (Guid.NewGuid(), Guid.NewGuid());
var sealedOnce = await envelope.SealAsync(tenant, connection, plaintext, CancellationToken.None);
var protectedOnce = protector.Protect(Encoding.UTF8.GetString(plaintext));
var seal = await Measure.RunAsync(iterations, () => envelope.SealAsync(tenant, connection, plaintext, CancellationToken.None));
var open = await Measure.RunAsync(iterations, () => envelope.OpenAsync(tenant, connection, sealedOnce, CancellationToken.None));
var protect = await Measure.RunAsync(iterations, () => Task.FromResult(protector.Protect(Encoding.UTF8.GetString(plaintext))));
var unprotect = await Measure.RunAsync(iterations, () => Task.FromResult(protector.Unprotect(protectedOnce)));

// A plain row of the ciphertext's size, written and read by key: what the vault adds over any table
// (on a data source with the hosts' settings: statements prepared as the vault's are).
await using var plain = Npgsql.NpgsqlDataSource.Create(PersistenceServiceCollectionExtensions.WithPerformanceDefaults(dataSource.ConnectionString));
await using (var create = plain.CreateCommand("create table plain_rows (id uuid primary key, tenant_id uuid not null, version int not null, body bytea not null)"))
    await create.ExecuteNonQueryAsync();
var plainIds = new List<Guid>();
var plainInsert = await Measure.RunAsync(iterations, async () =>
{
    var id = Guid.NewGuid();
    plainIds.Add(id);
    await using var command = plain.CreateCommand("insert into plain_rows values (@id, @t, 1, @b)");
    command.Parameters.AddWithValue("id", id);
    command.Parameters.AddWithValue("t", tenant);
    command.Parameters.AddWithValue("b", sealedOnce.Ciphertext);
    await command.ExecuteNonQueryAsync();
});
// Fresh statistics before the first read is planned (the hosts plan each statement once per connection).
await using (var analyze = plain.CreateCommand("analyze plain_rows")) await analyze.ExecuteNonQueryAsync();
var plainRead = await Measure.RunAsync(iterations, async () =>
{
    await using var command = plain.CreateCommand("select version, body from plain_rows where id = @id and tenant_id = @t");
    command.Parameters.AddWithValue("id", plainIds[Random.Shared.Next(plainIds.Count)]);
    command.Parameters.AddWithValue("t", tenant);
    await using var reader = await command.ExecuteReaderAsync();
    await reader.ReadAsync();
    reader.GetFieldValue<byte[]>(1);
});

var ids = new List<Guid>();
var store = await Measure.RunAsync(iterations, () =>
{
    var id = Guid.NewGuid();
    ids.Add(id);
    return Vault(v => v.StoreAsync(tenant, id, credential, CancellationToken.None));
});
await using (var analyze = plain.CreateCommand("analyze connection_credentials")) await analyze.ExecuteNonQueryAsync();
var read = await Measure.RunAsync(iterations, () => Vault(v => v.ReadAsync(tenant, ids[Random.Shared.Next(ids.Count)], CancellationToken.None)));
var versions = ids.ToDictionary(id => id, _ => 1);
var replace = await Measure.RunAsync(iterations, async () =>
{
    var id = ids[Random.Shared.Next(ids.Count)];
    var outcome = await Vault(v => v.ReplaceAsync(tenant, id, versions[id], credential, true, CancellationToken.None));
    versions[id] = outcome.CurrentVersion!.Value;
});

// Rotation: fill up to rotationRows credentials, then re-wrap them all under a new KEK.
await Parallel.ForEachAsync(Enumerable.Range(0, rotationRows - ids.Count), new ParallelOptions { MaxDegreeOfParallelism = 4 },
    async (_, ct) => await Vault(v => v.StoreAsync(Guid.NewGuid(), Guid.NewGuid(), credential, ct)));
await using var rotated = Services(dataSource.ConnectionString, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), previousKey: oldKey);
var started = Stopwatch.StartNew();
await using (var scope = rotated.CreateAsyncScope())
{
    var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RotateCredentialKeysCommand());
    started.Stop();
    Console.WriteLine($"""
        Credential vault, {iterations:N0} calls per line (one credential: an OAuth2 access and refresh token, scopes, two extras; {sealedOnce.Ciphertext.Length} bytes sealed)
          envelope seal (new DEK, wrap, encrypt)      {seal}
          envelope open (unwrap, decrypt)             {open}
          secret protector Protect (direct AES-GCM)   {protect}
          secret protector Unprotect                  {unprotect}
          plain row insert (same size, no crypto)     {plainInsert}
          vault store                                 {store}
          plain row read by key                       {plainRead}
          vault read                                  {read}
          vault replace (compare-and-swap)            {replace}
          added by the vault over a plain row (p50): store {store.P50 - plainInsert.P50:F3} ms, read {read.P50 - plainRead.P50:F3} ms
        KEK rotation: {result.Rewrapped:N0} of {rotationRows:N0} data keys re-wrapped in {started.Elapsed.TotalSeconds:F2} s ({result.Rewrapped / started.Elapsed.TotalSeconds:N0}/s), remaining {result.Remaining}
        """);
}

async Task<T> Vault<T>(Func<ICredentialVault, Task<T>> work)
{
    await using var scope = services.CreateAsyncScope();
    return await work(scope.ServiceProvider.GetRequiredService<ICredentialVault>());
}

static ServiceProvider Services(string connectionString, string key, string? previousKey)
{
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = connectionString,
        ["Secrets:EncryptionKey"] = key,
        ["Secrets:PreviousEncryptionKeys:0"] = previousKey,
    }).Build();
    return new ServiceCollection().AddLogging().AddApplication().AddPersistence(configuration).AddSingleton<IClock, Integrations.Infrastructure.SystemClock>()
        .BuildServiceProvider();
}
