using Integrations.Application.ApiKeys;
using Integrations.Application.ApiKeys.Commands.CreateApiKey;
using Integrations.Application.ApiKeys.Commands.RevokeApiKey;
using Integrations.Application.ApiKeys.Queries.ListApiKeys;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Tenants.Commands.CreateTenant;
using Integrations.Application.Tenants.Commands.UpdateTenant;
using Integrations.Application.Tenants.Queries.GetTenant;
using Integrations.Domain.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Integrations.IntegrationTests.Persistence;

/// <summary>The tenants projection and its read models, driven through the real commands.</summary>
public sealed class TenantReadModelTests : PersistenceTestBase
{
    [Fact]
    public async Task A_created_tenant_is_readable_with_its_stream_version()
    {
        var created = await SendAsync(new CreateTenantCommand("  Acme  ", Plans.Pro));

        var read = await SendAsync(new GetTenantQuery(created.Id));

        read.ShouldBe(created);
        read.Name.ShouldBe("Acme");
        read.Version.ShouldBe(1);
    }

    [Fact]
    public async Task The_tenant_version_follows_api_key_events_so_if_match_uses_the_stream_version()
    {
        var tenant = await SendAsync(new CreateTenantCommand("Acme", Plans.Starter));
        await SendAsync(new CreateApiKeyCommand(tenant.Id));

        var read = await SendAsync(new GetTenantQuery(tenant.Id));
        read.Version.ShouldBe(2);

        var updated = await SendAsync(new UpdateTenantCommand(tenant.Id, Plans.Enterprise, read.Version));
        updated.Version.ShouldBe(3);
        (await SendAsync(new GetTenantQuery(tenant.Id))).ShouldBe(updated);
        await Should.ThrowAsync<ConcurrencyConflictException>(() => SendAsync(new UpdateTenantCommand(tenant.Id, Plans.Pro, read.Version)));
    }

    [Fact]
    public async Task An_active_key_authenticates_with_the_tenants_current_plan()
    {
        var tenant = await SendAsync(new CreateTenantCommand("Acme", Plans.Starter));
        var key = await SendAsync(new CreateApiKeyCommand(tenant.Id));
        await SendAsync(new UpdateTenantCommand(tenant.Id, Plans.Pro, null));

        var identity = await FindByKeyAsync(key.Key);

        identity.ShouldBe(new ApiKeyIdentity(key.Id, tenant.Id, Plans.Pro));
        (await FindByKeyAsync(key.Key + "x")).ShouldBeNull();
    }

    [Fact]
    public async Task A_revoked_key_is_never_found_but_stays_listed_with_its_revocation_time()
    {
        var tenant = await SendAsync(new CreateTenantCommand("Acme", Plans.Starter));
        var revoked = await SendAsync(new CreateApiKeyCommand(tenant.Id));
        var kept = await SendAsync(new CreateApiKeyCommand(tenant.Id));

        await SendAsync(new RevokeApiKeyCommand(tenant.Id, revoked.Id));
        await SendAsync(new RevokeApiKeyCommand(tenant.Id, revoked.Id)); // revoking again changes nothing

        (await FindByKeyAsync(revoked.Key)).ShouldBeNull();
        (await FindByKeyAsync(kept.Key)).ShouldNotBeNull();
        var listed = (await SendAsync(new ListApiKeysQuery(tenant.Id, ListQuery.Default(ListApiKeysQuery.Spec)))).Data;
        listed.Select(k => k.Id).ShouldBe([kept.Id, revoked.Id]);
        listed[0].RevokedAt.ShouldBeNull();
        listed[1].RevokedAt.ShouldNotBeNull();
        listed[1].Prefix.ShouldBe(revoked.Prefix);
        listed.ShouldAllBe(k => k.TenantId == tenant.Id);
    }

    [Fact]
    public async Task Keys_of_one_tenant_are_not_listed_for_another()
    {
        var first = await SendAsync(new CreateTenantCommand("First", Plans.Starter));
        var second = await SendAsync(new CreateTenantCommand("Second", Plans.Starter));
        await SendAsync(new CreateApiKeyCommand(first.Id));

        (await SendAsync(new ListApiKeysQuery(second.Id, ListQuery.Default(ListApiKeysQuery.Spec)))).Data.ShouldBeEmpty();
        (await SendAsync(new ListApiKeysQuery(first.Id, ListQuery.Default(ListApiKeysQuery.Spec)))).Data.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_unknown_tenant_is_not_found()
    {
        await Should.ThrowAsync<NotFoundException>(() => SendAsync(new GetTenantQuery(Guid.CreateVersion7())));
        await Should.ThrowAsync<NotFoundException>(() => SendAsync(new CreateApiKeyCommand(Guid.CreateVersion7())));
    }

    private Task<ApiKeyIdentity?> FindByKeyAsync(string key) =>
        InScopeAsync(provider => provider.GetRequiredService<IApiKeyReadModel>().FindActiveByHashAsync(ApiKeyFormat.Hash(key), CancellationToken.None));
}
