using System.Security.Cryptography;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Security;
using Integrations.Infrastructure.Security.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>The built-in key providers: the platform keys from configuration or from a key file, shared with the secret protector.</summary>
public sealed class KeyProviderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("integrations-keys-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    private static string Base64(byte[] key) => Convert.ToBase64String(key);

    [Fact]
    public async Task The_configured_platform_keys_are_the_keks_with_the_key_ids_the_secret_protector_uses()
    {
        var (current, previous) = (NewKey(), NewKey());
        var oldValue = new AesGcmSecretProtector(previous, []).Protect("whsec_old");

        using var services = Build(new()
        {
            ["Secrets:EncryptionKey"] = Base64(current),
            ["Secrets:PreviousEncryptionKeys:0"] = Base64(previous),
        });
        var keys = services.GetRequiredService<IKeyEncryptionKeyProvider>();
        var protector = services.GetRequiredService<ISecretProtector>();

        (await keys.GetCurrentKeyIdAsync(CancellationToken.None)).ShouldBe(PlatformKeyRing.KeyId(current));
        protector.Protect("x").Split('.')[1].ShouldBe(PlatformKeyRing.KeyId(current), "one key configuration, one key id");
        protector.Unprotect(oldValue).ShouldBe("whsec_old");
        var wrappedUnderPrevious = await new LocalKeyEncryptionKeyProvider(new PlatformKeyRing(previous, [])).WrapAsync(new byte[32], CancellationToken.None);
        (await keys.UnwrapAsync(wrappedUnderPrevious.KeyId, wrappedUnderPrevious.WrappedKey, CancellationToken.None)).ShouldBe(new byte[32]);
    }

    [Fact]
    public async Task A_key_file_holds_the_current_key_first_then_the_previous_ones()
    {
        var (current, previous) = (NewKey(), NewKey());
        var file = Path.Combine(_folder, "platform.keys");
        await File.WriteAllTextAsync(file, $"# the current key first\n{Base64(current)}\n\n{Base64(previous)}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var services = Build(new() { ["Secrets:KeyFile"] = file });
        var ring = services.GetRequiredService<PlatformKeyRing>();

        ring.CurrentKeyId.ShouldBe(PlatformKeyRing.KeyId(current));
        ring.KeyIds.ShouldBe([PlatformKeyRing.KeyId(current), PlatformKeyRing.KeyId(previous)], ignoreOrder: true);
        (await services.GetRequiredService<IKeyEncryptionKeyProvider>().GetCurrentKeyIdAsync(CancellationToken.None)).ShouldBe(ring.CurrentKeyId);
    }

    [Fact]
    public void A_key_directory_holds_the_current_key_in_a_file_named_current_and_each_previous_key_in_a_file_of_its_own()
    {
        var (current, first, second) = (NewKey(), NewKey(), NewKey());
        File.WriteAllText(Path.Combine(_folder, "current"), Base64(current) + "\n");
        File.WriteAllText(Path.Combine(_folder, "previous-1"), Base64(first));
        File.WriteAllText(Path.Combine(_folder, "previous-2"), Base64(second));
        Directory.CreateDirectory(Path.Combine(_folder, "..data"));
        File.WriteAllText(Path.Combine(_folder, ".hidden"), "not a key");

        using var services = Build(new() { ["Secrets:KeyFile"] = _folder });
        var ring = services.GetRequiredService<PlatformKeyRing>();

        ring.CurrentKeyId.ShouldBe(PlatformKeyRing.KeyId(current));
        ring.KeyIds.ShouldBe([PlatformKeyRing.KeyId(current), PlatformKeyRing.KeyId(first), PlatformKeyRing.KeyId(second)], ignoreOrder: true);
    }

    [Fact]
    public void Mistakes_in_the_key_settings_stop_the_host_with_a_message_that_names_the_place_and_never_a_key()
    {
        var key = Base64(NewKey());
        var file = Path.Combine(_folder, "platform.keys");
        File.WriteAllText(file, key + "\nnot-base64-" + key[..10] + "\n");

        Fail(new() { ["Secrets:KeyFile"] = file, ["Secrets:EncryptionKey"] = key }).ShouldContain("alternatives");
        var badLine = Fail(new() { ["Secrets:KeyFile"] = file });
        badLine.ShouldContain("line 2");
        badLine.ShouldNotContain(key[..10]);
        Fail(new() { ["Secrets:KeyFile"] = Path.Combine(_folder, "missing") }).ShouldContain("does not exist");
        var directory = Directory.CreateDirectory(Path.Combine(_folder, "keys")).FullName;
        Fail(new() { ["Secrets:KeyFile"] = directory }).ShouldContain("'current'");
        File.WriteAllText(Path.Combine(directory, "current"), "");
        Fail(new() { ["Secrets:KeyFile"] = directory }).ShouldContain("exactly one key");
        Fail(new() { ["Secrets:EncryptionKey"] = "c2hvcnQ=" }).ShouldContain("32 bytes");
    }

    private static string Fail(Dictionary<string, string?> settings)
    {
        using var services = Build(settings);
        return Should.Throw<InvalidOperationException>(() => services.GetRequiredService<IKeyEncryptionKeyProvider>()).Message;
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddLogging()
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = Environments.Production })
            .AddSecretProtection(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
}
