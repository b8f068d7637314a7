using System.Net;
using Integrations.Application.Connections.Credentials;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>Planted secrets go through every vault operation of a host that logs everything, SQL included: no log line shows them.</summary>
public class CredentialLoggingTests(VaultSystem system) : IClassFixture<VaultSystem>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_planted_secret_never_appears_in_a_log_line_scope_or_logged_exception()
    {
        var planted = new[] { "at_planted_" + Guid.NewGuid().ToString("N"), "rt_planted_" + Guid.NewGuid().ToString("N"), "pw_planted_" + Guid.NewGuid().ToString("N") };
        var logs = new CapturingLoggerProvider();
        var (api, address) = await system.StartApiInstanceAsync(b => b.Logging.AddProvider(logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));
        try
        {
            var tenant = Guid.NewGuid();
            var (oauth, basic, broken) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
            var credential = ConnectionCredential.OAuth2(planted[0], planted[1], DateTimeOffset.UtcNow.AddMinutes(5), ["read"]);
            await system.VaultAsync(v => v.StoreAsync(tenant, oauth, credential, None), api.Services);
            await system.VaultAsync(v => v.StoreAsync(tenant, basic, ConnectionCredential.ForBasic("svc", planted[2]), None), api.Services);
            await system.VaultAsync(v => v.StoreAsync(tenant, broken, credential, None), api.Services);
            (await system.VaultAsync(v => v.ReadAsync(tenant, oauth, None), api.Services))!.Credential.AccessToken!.Reveal().ShouldBe(planted[0]);
            (await system.InUnitOfWorkAsync((v, ct) => v.ReplaceAsync(tenant, oauth, 1, credential, true, ct), api.Services)).Replaced.ShouldBeTrue();
            (await system.VaultAsync(v => v.ReplaceAsync(tenant, oauth, 1, credential, true, None), api.Services)).Replaced.ShouldBeFalse();
            await system.VaultAsync(v => v.FindDueAsync(DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow, 10, None), api.Services);
            // A record under a key nobody has: its read fails, and the rotation passes it with a warning.
            await system.ScalarAsync<int>("update connection_credentials set kek_id = 'feedf00d' where connection_id = @c returning 1", ("c", broken));
            var unreadable = await Should.ThrowAsync<CredentialUnreadableException>(() => system.VaultAsync(v => v.ReadAsync(tenant, broken, None), api.Services));
            using var admin = new HttpClient { BaseAddress = address };
            admin.DefaultRequestHeaders.Authorization = system.Admin.DefaultRequestHeaders.Authorization;
            var rotated = await (await admin.PostAsync("/api/v1/admin/credential-keys/rotate", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
            (await system.VaultAsync(v => v.EraseAsync(tenant, basic, None), api.Services)).ShouldBeTrue();

            rotated.GetProperty("unreadable").GetInt32().ShouldBe(1);
            logs.Entries.ShouldContain(e => e.Message.Contains("connection_credentials"), "SQL statements were logged too");
            logs.Entries.ShouldContain(e => e.Level == LogLevel.Warning && e.Message.Contains(broken.ToString()) && e.Message.Contains("feedf00d"));
            logs.Entries.ShouldContain(e => e.Message.Contains("RotateCredentialKeysCommand"));
            var texts = logs.Entries.Select(e => $"{e.Category} {e.Message} {e.Scopes} {e.Exception}").Append(unreadable.ToString()).ToList();
            foreach (var secret in planted) texts.ShouldNotContain(t => t.Contains(secret), $"{secret} was logged");
        }
        finally
        {
            await api.StopAsync();
            await api.DisposeAsync();
        }
    }
}
