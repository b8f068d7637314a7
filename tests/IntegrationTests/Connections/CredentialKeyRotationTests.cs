using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Integrations.Application.Connections.Credentials;
using Integrations.Infrastructure.Security.Keys;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>
/// KEK rotation as an operator runs it (docs/connections.md): API instances restarted with a new
/// current key and the old one as previous, the rotation through the admin endpoint while writers
/// work, then instances without the old key.
/// </summary>
public class CredentialKeyRotationTests(VaultSystem system) : IClassFixture<VaultSystem>
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>The new platform key of every test of this class; the system's own key is the old one.</summary>
    private static readonly string NewKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private string OldKeyId => PlatformKeyRing.KeyId(Convert.FromBase64String(system.SecretsKey));

    private static string NewKeyId => PlatformKeyRing.KeyId(Convert.FromBase64String(NewKey));

    private static ConnectionCredential Credential(string accessToken) =>
        ConnectionCredential.OAuth2(accessToken, "rt_" + accessToken, DateTimeOffset.UtcNow.AddDays(1), ["read"]);

    [Fact]
    public async Task Rotation_while_writers_work_moves_every_data_key_loses_no_write_and_the_old_key_can_then_go()
    {
        var tenants = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var expected = new ConcurrentDictionary<(Guid Tenant, Guid Connection), (int Version, string AccessToken)>();
        var rows = Enumerable.Range(0, 1200).Select(i => (Tenant: tenants[i % 3], Connection: Guid.NewGuid(), Token: $"at_old_{i}")).ToList();
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (row, _) =>
            expected[(row.Tenant, row.Connection)] = (await system.VaultAsync(v => v.StoreAsync(row.Tenant, row.Connection, Credential(row.Token), None)), row.Token));

        // Restarted with the new key as current and the old one as previous.
        var (rotating, rotatingAddress) = await StartApiAsync(withOldKey: true);
        try
        {
            using var admin = AdminClient(rotatingAddress);
            var before = await (await admin.GetAsync("/api/v1/admin/credential-keys")).ShouldBeJsonAsync(HttpStatusCode.OK);
            before.GetProperty("current_key_id").GetString().ShouldBe(NewKeyId);
            Usage(before).ShouldContainKeyAndValue(OldKeyId, rows.Count);
            before.GetProperty("remaining").GetInt64().ShouldBeGreaterThanOrEqualTo(rows.Count);

            // Four writers each own a quarter of the credentials and refresh them until the rotation is over.
            using var rotationDone = new CancellationTokenSource();
            var lostWrites = 0;
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var mine = rows.Where((_, i) => i % 4 == w).ToList();
                for (var n = 0; !rotationDone.IsCancellationRequested; n++)
                {
                    var row = mine[n % mine.Count];
                    var current = (await system.VaultAsync(v => v.ReadAsync(row.Tenant, row.Connection, None), rotating.Services))!;
                    var token = $"at_new_{row.Connection:N}_{n}";
                    var outcome = await system.VaultAsync(v => v.ReplaceAsync(row.Tenant, row.Connection, current.Version, Credential(token), true, None),
                        rotating.Services);
                    if (outcome.Replaced) expected[(row.Tenant, row.Connection)] = (outcome.CurrentVersion!.Value, token);
                    else Interlocked.Increment(ref lostWrites);
                }
            })).ToList();

            await Task.Delay(100);
            var rotated = await (await admin.PostAsync("/api/v1/admin/credential-keys/rotate", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
            await rotationDone.CancelAsync();
            await Task.WhenAll(writers);

            lostWrites.ShouldBe(0, "a rotation never makes a writer lose");
            rotated.GetProperty("current_key_id").GetString().ShouldBe(NewKeyId);
            rotated.GetProperty("remaining").GetInt64().ShouldBe(0);
            rotated.GetProperty("unreadable").GetInt32().ShouldBe(0);
            (rotated.GetProperty("rewrapped").GetInt32() + rotated.GetProperty("changed_concurrently").GetInt32()).ShouldBeLessThanOrEqualTo(rows.Count);
            rotated.GetProperty("rewrapped").GetInt32().ShouldBeGreaterThan(0);
            (await system.ScalarAsync<long>("select count(*) from connection_credentials where kek_id <> @k", ("k", NewKeyId))).ShouldBe(0);
            var again = await (await admin.PostAsync("/api/v1/admin/credential-keys/rotate", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
            (again.GetProperty("rewrapped").GetInt32(), again.GetProperty("remaining").GetInt64()).ShouldBe((0, 0L), "a repeat has nothing left to do");
        }
        finally
        {
            await StopAsync(rotating);
        }

        // Restarted without the old key: every credential still reads, with the last value written.
        var (afterwards, afterwardsAddress) = await StartApiAsync(withOldKey: false);
        try
        {
            foreach (var ((tenant, connection), (version, token)) in expected)
            {
                var stored = (await system.VaultAsync(v => v.ReadAsync(tenant, connection, None), afterwards.Services))!;
                (stored.Version, stored.Credential.AccessToken!.Reveal()).ShouldBe((version, token));
            }
            using var admin = AdminClient(afterwardsAddress);
            var keys = await (await admin.GetAsync("/api/v1/admin/credential-keys")).ShouldBeJsonAsync(HttpStatusCode.OK);
            keys.GetProperty("remaining").GetInt64().ShouldBe(0);
            Usage(keys).Keys.ShouldBe([NewKeyId]);
        }
        finally
        {
            await StopAsync(afterwards);
        }
    }

    [Fact]
    public async Task A_rewrap_that_races_a_writer_leaves_the_writers_credential_as_written()
    {
        var (tenant, connection) = (Guid.NewGuid(), Guid.NewGuid());
        await system.VaultAsync(v => v.StoreAsync(tenant, connection, Credential("at_before"), None));
        var (rotating, address) = await StartApiAsync(withOldKey: true);
        try
        {
            // The writer has replaced the row (under the new key, with a new data key) but not committed yet.
            var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writer = system.InUnitOfWorkAsync(async (vault, ct) =>
            {
                var outcome = await vault.ReplaceAsync(tenant, connection, 1, Credential("at_writer"), true, ct);
                written.SetResult();
                await commit.Task;
                return outcome;
            }, rotating.Services);
            await written.Task;

            using var admin = AdminClient(address);
            var rotation = admin.PostAsync("/api/v1/admin/credential-keys/rotate", null);
            await system.WaitForALockWaitAsync("set kek_id = u.new_kek_id");
            rotation.IsCompleted.ShouldBeFalse("the rotation's write-back waits for the writer's row");
            commit.SetResult();

            (await writer).ShouldBe(new CredentialReplacement(true, 2));
            var rotated = await (await rotation).ShouldBeJsonAsync(HttpStatusCode.OK);
            rotated.GetProperty("changed_concurrently").GetInt32().ShouldBe(1, "the rewrap of the version it read was not written");
            rotated.GetProperty("remaining").GetInt64().ShouldBe(0);
        }
        finally
        {
            await StopAsync(rotating);
        }

        var (afterwards, _) = await StartApiAsync(withOldKey: false);
        try
        {
            var stored = (await system.VaultAsync(v => v.ReadAsync(tenant, connection, None), afterwards.Services))!;
            (stored.Version, stored.Credential.AccessToken!.Reveal()).ShouldBe((2, "at_writer"));
        }
        finally
        {
            await StopAsync(afterwards);
        }
    }

    [Fact]
    public async Task Only_the_admin_key_may_see_or_rotate_the_credential_keys()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        await (await tenant.Client.PostAsync("/api/v1/admin/credential-keys/rotate", null)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await tenant.Client.GetAsync("/api/v1/admin/credential-keys")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await system.Client().PostAsync("/api/v1/admin/credential-keys/rotate", null)).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await system.Admin.PostAsync("/api/v1/admin/credential-keys/rotate?batch_size=5", null))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }

    private Task<(WebApplication App, Uri BaseAddress)> StartApiAsync(bool withOldKey) =>
        system.StartApiInstanceAsync(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Secrets:EncryptionKey"] = NewKey,
            ["Secrets:PreviousEncryptionKeys:0"] = withOldKey ? system.SecretsKey : null,
        }));

    private HttpClient AdminClient(Uri address)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.AdminKey);
        return client;
    }

    private static Dictionary<string, long> Usage(JsonElement keys) =>
        keys.GetProperty("data").EnumerateArray().Where(k => k.GetProperty("credentials").GetInt64() > 0)
            .ToDictionary(k => k.GetProperty("key_id").GetString()!, k => k.GetProperty("credentials").GetInt64());

    private static async Task StopAsync(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
