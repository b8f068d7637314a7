using System.Security.Cryptography;
using Integrations.Infrastructure.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks;

/// <summary>AES-256-GCM protection of secrets at rest, on its own.</summary>
public class SecretProtectorTests
{
    private static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_protected_value_round_trips_and_never_repeats()
    {
        var protector = new AesGcmSecretProtector(NewKey(), []);

        var first = protector.Protect("whsec_secret");
        var second = protector.Protect("whsec_secret");

        first.ShouldNotBe(second, "a fresh nonce per value");
        first.ShouldNotContain("whsec_secret");
        first.Split('.').Length.ShouldBe(3);
        first.ShouldStartWith("v1.");
        protector.Unprotect(first).ShouldBe("whsec_secret");
        protector.Unprotect(second).ShouldBe("whsec_secret");
    }

    [Fact]
    public void Any_tampering_is_detected()
    {
        var key = NewKey();
        var protector = new AesGcmSecretProtector(key, []);
        var value = protector.Protect("whsec_secret");
        var parts = value.Split('.');
        var box = Convert.FromBase64String(parts[2]);

        foreach (var index in new[] { 0, 12, box.Length - 1 })
        {
            var flipped = (byte[])box.Clone();
            flipped[index] ^= 0x01;
            Should.Throw<CryptographicException>(() => protector.Unprotect($"{parts[0]}.{parts[1]}.{Convert.ToBase64String(flipped)}"));
        }
        Should.Throw<CryptographicException>(() => protector.Unprotect($"{parts[0]}.{parts[1]}.{Convert.ToBase64String(box[..20])}"));
        Should.Throw<CryptographicException>(() => protector.Unprotect($"v2.{parts[1]}.{parts[2]}"));
        Should.Throw<CryptographicException>(() => protector.Unprotect("whsec_plaintext"));
        Should.Throw<CryptographicException>(() => protector.Unprotect($"{parts[0]}.{parts[1]}.not base64!"));
    }

    [Fact]
    public void A_value_relabelled_to_another_key_fails_authentication()
    {
        var key = NewKey();
        var other = NewKey();
        var protector = new AesGcmSecretProtector(key, [other]);
        var parts = protector.Protect("whsec_secret").Split('.');

        Should.Throw<CryptographicException>(() => protector.Unprotect($"v1.{AesGcmSecretProtector.KeyId(other)}.{parts[2]}"));
    }

    [Fact]
    public void The_wrong_key_cannot_read_a_value()
    {
        var value = new AesGcmSecretProtector(NewKey(), []).Protect("whsec_secret");

        Should.Throw<CryptographicException>(() => new AesGcmSecretProtector(NewKey(), []).Unprotect(value)).Message.ShouldContain("Secrets:PreviousEncryptionKeys");
    }

    [Fact]
    public void After_a_key_rotation_old_values_decrypt_with_the_previous_key_and_new_values_use_the_new_one()
    {
        var oldKey = NewKey();
        var newKey = NewKey();
        var oldValue = new AesGcmSecretProtector(oldKey, []).Protect("whsec_old");

        var rotated = new AesGcmSecretProtector(newKey, [oldKey]);

        rotated.Unprotect(oldValue).ShouldBe("whsec_old");
        var newValue = rotated.Protect("whsec_new");
        newValue.Split('.')[1].ShouldBe(AesGcmSecretProtector.KeyId(newKey));
        Should.Throw<CryptographicException>(() => new AesGcmSecretProtector(oldKey, []).Unprotect(newValue));
    }

    [Fact]
    public void Configuration_supplies_the_current_and_previous_keys()
    {
        var oldKey = NewKey();
        var oldValue = new AesGcmSecretProtector(oldKey, []).Protect("whsec_old");

        var protector = Build(new Dictionary<string, string?>
        {
            ["Secrets:EncryptionKey"] = Convert.ToBase64String(NewKey()),
            ["Secrets:PreviousEncryptionKeys:0"] = Convert.ToBase64String(oldKey),
        }, Environments.Production);

        protector.Unprotect(oldValue).ShouldBe("whsec_old");
    }

    [Fact]
    public void Production_without_a_key_refuses_to_start_while_development_gets_an_ephemeral_one()
    {
        Should.Throw<InvalidOperationException>(() => Build([], Environments.Production)).Message.ShouldContain("Secrets:EncryptionKey");
        Should.Throw<InvalidOperationException>(() => Build(new Dictionary<string, string?> { ["Secrets:EncryptionKey"] = "c2hvcnQ=" }, Environments.Development))
            .Message.ShouldContain("32 bytes");

        var development = Build([], Environments.Development);
        development.Unprotect(development.Protect("x")).ShouldBe("x");
        var allowed = Build(new Dictionary<string, string?> { ["Secrets:AllowEphemeralKey"] = "true" }, Environments.Production);
        allowed.Unprotect(allowed.Protect("x")).ShouldBe("x");
    }

    private static Application.Common.Interfaces.ISecretProtector Build(Dictionary<string, string?> settings, string environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment })
            .AddSecretProtection(configuration)
            .BuildServiceProvider();
        return provider.GetRequiredService<Application.Common.Interfaces.ISecretProtector>();
    }
}
