using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using Integrations.Infrastructure.Security.Keys;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>The API host without Workers: the vault is resolved from its services, as the connection use cases will.</summary>
public sealed class VaultSystem : TestSystem
{
    protected override bool StartWorkers => false;

    /// <summary>The vault of <paramref name="host"/> (the system's API unless named) in a scope of its own.</summary>
    public async Task<T> VaultAsync<T>(Func<ICredentialVault, Task<T>> work, IServiceProvider? host = null)
    {
        await using var scope = (host ?? Api.Services).CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ICredentialVault>());
    }

    /// <summary>Runs <paramref name="work"/> in a unit of work of <paramref name="host"/>, as a command handler does.</summary>
    public async Task<T> InUnitOfWorkAsync<T>(Func<ICredentialVault, CancellationToken, Task<T>> work, IServiceProvider? host = null)
    {
        await using var scope = (host ?? Api.Services).CreateAsyncScope();
        var vault = scope.ServiceProvider.GetRequiredService<ICredentialVault>();
        return await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().ExecuteAsync(ct => work(vault, ct), CancellationToken.None);
    }

    /// <summary>Until a statement of this database that contains <paramref name="sqlFragment"/> waits for a row lock.</summary>
    public Task WaitForALockWaitAsync(string sqlFragment) => Eventually.HoldsAsync(async () => await ScalarAsync<long>("""
        select count(*) from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and strpos(query, @fragment) > 0
        """, ("fragment", sqlFragment)) > 0, TimeSpan.FromSeconds(30), $"a statement with '{sqlFragment}' waits for a lock");

    /// <summary>Rows of connection_credentials in which <paramref name="text"/> appears: in any column as text, or as bytes in the binary ones.</summary>
    public Task<long> RowsContainingAsync(string text) => ScalarAsync<long>("""
        select count(*) from connection_credentials c
        where strpos(c::text, @s) > 0 or position(convert_to(@s, 'UTF8') in c.ciphertext) > 0 or position(convert_to(@s, 'UTF8') in c.wrapped_dek) > 0
        """, ("s", text));
}

public class CredentialVaultTests(VaultSystem system) : IClassFixture<VaultSystem>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static ConnectionCredential OAuth2(string accessToken, string? refreshToken = "rt_" + "default", DateTimeOffset? expires = null) =>
        ConnectionCredential.OAuth2(accessToken, refreshToken, expires ?? DateTimeOffset.UtcNow.AddDays(1), ["crm.read", "crm.write"],
            new Dictionary<string, string> { ["instance_url"] = "https://acme.example" });

    [Fact]
    public async Task A_stored_credential_is_only_ciphertext_in_its_row_and_reads_back_whole()
    {
        var (tenant, connection) = (Guid.NewGuid(), Guid.NewGuid());
        var expires = new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var credential = ConnectionCredential.OAuth2("at_stored_4f1b9c", "rt_stored_8e2d7a", expires, ["crm.read", "crm.write"],
            new Dictionary<string, string> { ["instance_url"] = "https://acme.example" });

        (await system.VaultAsync(v => v.StoreAsync(tenant, connection, credential, None))).ShouldBe(1);

        foreach (var secret in new[] { "at_stored_4f1b9c", "rt_stored_8e2d7a", "acme.example", "crm.write" })
            (await system.RowsContainingAsync(secret)).ShouldBe(0, $"{secret} is not stored in plaintext");
        var kekId = PlatformKeyRing.KeyId(Convert.FromBase64String(system.SecretsKey));
        (await system.ScalarAsync<long>("""
            select count(*) from connection_credentials where connection_id = @c and tenant_id = @t and version = 1 and kek_id = @k
              and octet_length(wrapped_dek) = 60 and has_refresh_token and access_expires_at = @e and refresh_exercised_at is not null
            """, ("c", connection), ("t", tenant), ("k", kekId), ("e", expires))).ShouldBe(1);

        var stored = (await system.VaultAsync(v => v.ReadAsync(tenant, connection, None)))!;
        stored.Version.ShouldBe(1);
        stored.Credential.Kind.ShouldBe(CredentialKind.OAuth2);
        stored.Credential.AccessToken!.Reveal().ShouldBe("at_stored_4f1b9c");
        stored.Credential.RefreshToken!.Reveal().ShouldBe("rt_stored_8e2d7a");
        stored.Credential.AccessExpiresAt.ShouldBe(expires);
        stored.Credential.Scopes.ShouldBe(["crm.read", "crm.write"]);
        stored.Credential.Extras.ShouldBe(new Dictionary<string, string> { ["instance_url"] = "https://acme.example" });

        var basic = Guid.NewGuid();
        await system.VaultAsync(v => v.StoreAsync(tenant, basic, ConnectionCredential.ForBasic("svc-user", "pw_basic_c0ffee"), None));
        (await system.RowsContainingAsync("pw_basic_c0ffee")).ShouldBe(0);
        var read = (await system.VaultAsync(v => v.ReadAsync(tenant, basic, None)))!.Credential;
        (read.Kind, read.Username, read.Password!.Reveal(), read.AccessExpiresAt).ShouldBe((CredentialKind.Basic, "svc-user", "pw_basic_c0ffee", null));
    }

    [Fact]
    public async Task Only_the_owning_tenant_reads_replaces_or_erases_a_credential()
    {
        var (owner, other, connection) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await system.VaultAsync(v => v.StoreAsync(owner, connection, ConnectionCredential.ForApiKey("key_owner_77aa"), None));

        (await system.VaultAsync(v => v.ReadAsync(other, connection, None))).ShouldBeNull();
        (await system.VaultAsync(v => v.ReplaceAsync(other, connection, 1, ConnectionCredential.ForApiKey("key_intruder"), false, None)))
            .ShouldBe(new CredentialReplacement(false, null));
        (await system.VaultAsync(v => v.EraseAsync(other, connection, None))).ShouldBeFalse();
        (await Should.ThrowAsync<ConflictException>(() => system.VaultAsync(v => v.StoreAsync(other, connection, ConnectionCredential.ForApiKey("key_intruder"), None))))
            .Code.ShouldBe("connection_credential_conflict");

        var stored = (await system.VaultAsync(v => v.ReadAsync(owner, connection, None)))!;
        (stored.Version, stored.Credential.ApiKey!.Reveal()).ShouldBe((1, "key_owner_77aa"));
        (await system.ScalarAsync<long>("select count(*) from connection_credentials where connection_id = @c", ("c", connection))).ShouldBe(1);
    }

    [Fact]
    public async Task A_store_commits_with_its_unit_of_work_or_not_at_all_and_a_new_authorization_replaces_the_credential()
    {
        var (tenant, connection) = (Guid.NewGuid(), Guid.NewGuid());

        await Should.ThrowAsync<InvalidOperationException>(() => system.InUnitOfWorkAsync<int>(async (vault, ct) =>
        {
            await vault.StoreAsync(tenant, connection, OAuth2("at_rolled_back"), ct);
            throw new InvalidOperationException("the command failed after storing");
        }));
        (await system.VaultAsync(v => v.ReadAsync(tenant, connection, None))).ShouldBeNull();

        (await system.InUnitOfWorkAsync((vault, ct) => vault.StoreAsync(tenant, connection, OAuth2("at_committed"), ct))).ShouldBe(1);
        (await system.VaultAsync(v => v.StoreAsync(tenant, connection, OAuth2("at_reconnected"), None))).ShouldBe(2, "a reconnect stores unconditionally");
        (await system.VaultAsync(v => v.ReadAsync(tenant, connection, None)))!.Credential.AccessToken!.Reveal().ShouldBe("at_reconnected");
    }

    [Fact]
    public async Task Of_two_writers_replacing_the_same_version_one_wins_and_the_other_learns_it_lost()
    {
        var (tenant, connection) = (Guid.NewGuid(), Guid.NewGuid());
        await system.VaultAsync(v => v.StoreAsync(tenant, connection, OAuth2("at_v1", "rt_v1"), None));
        var firstWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = system.InUnitOfWorkAsync(async (vault, ct) =>
        {
            var replaced = await vault.ReplaceAsync(tenant, connection, 1, OAuth2("at_first", "rt_first"), true, ct);
            firstWritten.SetResult();
            await releaseFirst.Task;
            return replaced;
        });
        await firstWritten.Task;
        var second = system.VaultAsync(v => v.ReplaceAsync(tenant, connection, 1, OAuth2("at_second", "rt_second"), true, None));
        await system.WaitForALockWaitAsync("set version = c.version + 1");
        second.IsCompleted.ShouldBeFalse("the second writer waits for the first one's transaction");
        releaseFirst.SetResult();

        (await first).ShouldBe(new CredentialReplacement(true, 2));
        (await second).ShouldBe(new CredentialReplacement(false, 2), "the loser learns the winner's version");
        var stored = (await system.VaultAsync(v => v.ReadAsync(tenant, connection, None)))!;
        (stored.Version, stored.Credential.RefreshToken!.Reveal()).ShouldBe((2, "rt_first"));
        (await system.VaultAsync(v => v.ReplaceAsync(tenant, connection, 1, OAuth2("at_stale"), false, None))).ShouldBe(new CredentialReplacement(false, 2));
        (await system.VaultAsync(v => v.ReplaceAsync(tenant, connection, 2, OAuth2("at_v3", "rt_v3"), true, None))).ShouldBe(new CredentialReplacement(true, 3));
    }

    [Fact]
    public async Task The_sweep_query_finds_access_tokens_about_to_expire_and_refresh_tokens_not_exercised_lately()
    {
        var tenant = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var (expiring, fresh, apiKey, idle, noRefresh) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await system.VaultAsync(v => v.StoreAsync(tenant, expiring, OAuth2("at_a", "rt_a", now.AddMinutes(10)), None));
        await system.VaultAsync(v => v.StoreAsync(tenant, fresh, OAuth2("at_b", "rt_b", now.AddHours(2)), None));
        await system.VaultAsync(v => v.StoreAsync(tenant, apiKey, ConnectionCredential.ForApiKey("key_c"), None));
        await system.VaultAsync(v => v.StoreAsync(tenant, idle, OAuth2("at_d", "rt_d", now.AddHours(2)), None));
        await system.VaultAsync(v => v.StoreAsync(tenant, noRefresh, OAuth2("at_e", null, now.AddHours(2)), None));
        // The sweep's facts are plain columns: a refresh token last exercised 25 hours ago.
        await system.ScalarAsync<int>("update connection_credentials set refresh_exercised_at = now() - interval '25 hours' where connection_id = any(@ids) returning 1",
            ("ids", new[] { idle, noRefresh }));

        var due = await system.VaultAsync(v => v.FindDueAsync(now.AddMinutes(15), now.AddHours(-24), 1000, None));

        due.ShouldContain(new CredentialRef(tenant, expiring));
        due.ShouldContain(new CredentialRef(tenant, idle));
        due.Select(d => d.ConnectionId).ShouldNotContain(fresh);
        due.Select(d => d.ConnectionId).ShouldNotContain(apiKey);
        due.Select(d => d.ConnectionId).ShouldNotContain(noRefresh, "no refresh token to exercise");
        (await system.VaultAsync(v => v.FindDueAsync(now.AddMinutes(15), now.AddHours(-24), 1, None))).ShouldBe([new CredentialRef(tenant, idle)], "soonest due first");

        // A refresh stores the new tokens and counts as exercising the refresh token.
        (await system.VaultAsync(v => v.ReplaceAsync(tenant, idle, 1, OAuth2("at_d2", "rt_d2", now.AddHours(2)), true, None))).Replaced.ShouldBeTrue();
        (await system.VaultAsync(v => v.ReplaceAsync(tenant, expiring, 1, OAuth2("at_a2", "rt_a2", now.AddHours(1)), true, None))).Replaced.ShouldBeTrue();
        var after = await system.VaultAsync(v => v.FindDueAsync(now.AddMinutes(15), now.AddHours(-24), 1000, None));
        after.Select(d => d.ConnectionId).ShouldNotContain(idle);
        after.Select(d => d.ConnectionId).ShouldNotContain(expiring);
        (await system.VaultAsync(v => v.ReadAsync(tenant, idle, None)))!.RefreshExercisedAt!.Value.ShouldBeGreaterThan(now.AddMinutes(-1));
    }

    [Fact]
    public async Task Erasing_a_credential_leaves_nothing_of_it_in_the_table()
    {
        var (tenant, connection) = (Guid.NewGuid(), Guid.NewGuid());
        await system.VaultAsync(v => v.StoreAsync(tenant, connection, OAuth2("at_erased"), None));
        var wrappedKey = await system.ScalarAsync<byte[]>("select wrapped_dek from connection_credentials where connection_id = @c", ("c", connection));

        (await system.VaultAsync(v => v.EraseAsync(tenant, connection, None))).ShouldBeTrue();

        (await system.VaultAsync(v => v.ReadAsync(tenant, connection, None))).ShouldBeNull();
        (await system.ScalarAsync<long>("select count(*) from connection_credentials where connection_id = @c or wrapped_dek = @w",
            ("c", connection), ("w", wrappedKey))).ShouldBe(0, "neither the record nor its data key remains");
        (await system.VaultAsync(v => v.EraseAsync(tenant, connection, None))).ShouldBeFalse();
        (await system.VaultAsync(v => v.ReplaceAsync(tenant, connection, 1, OAuth2("at_late"), false, None))).ShouldBe(new CredentialReplacement(false, null));
    }

    [Fact]
    public async Task A_record_tampered_with_or_moved_to_another_row_is_unreadable_and_the_error_names_no_secret()
    {
        var tenant = Guid.NewGuid();
        var (victim, moved, tampered) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await system.VaultAsync(v => v.StoreAsync(tenant, victim, OAuth2("at_victim_3c9e"), None));
        await system.VaultAsync(v => v.StoreAsync(tenant, moved, OAuth2("at_moved_0000"), None));
        await system.VaultAsync(v => v.StoreAsync(tenant, tampered, OAuth2("at_tampered_11"), None));

        // Someone with write access to the table copies the victim's record into another connection's row, and flips a byte of a third.
        await system.ScalarAsync<int>("""
            update connection_credentials c set kek_id = v.kek_id, wrapped_dek = v.wrapped_dek, ciphertext = v.ciphertext
            from connection_credentials v where v.connection_id = @victim and c.connection_id = @moved returning 1
            """, ("victim", victim), ("moved", moved));
        await system.ScalarAsync<int>("update connection_credentials set ciphertext = set_byte(ciphertext, 20, get_byte(ciphertext, 20) # 1) where connection_id = @c returning 1",
            ("c", tampered));

        foreach (var connection in new[] { moved, tampered })
        {
            var refused = await Should.ThrowAsync<CredentialUnreadableException>(() => system.VaultAsync(v => v.ReadAsync(tenant, connection, None)));
            refused.ConnectionId.ShouldBe(connection);
            refused.Message.ShouldContain(connection.ToString());
            refused.ToString().ShouldNotContain("at_victim_3c9e");
            refused.ToString().ShouldNotContain("at_tampered_11");
        }
        (await system.VaultAsync(v => v.ReadAsync(tenant, victim, None)))!.Credential.AccessToken!.Reveal().ShouldBe("at_victim_3c9e");
    }
}
