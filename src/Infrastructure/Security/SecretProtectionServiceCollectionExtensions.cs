using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Security.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Security;

public static class SecretProtectionServiceCollectionExtensions
{
    public const string KeySetting = PlatformKeyRingLoader.KeySetting;
    public const string PreviousKeysSetting = PlatformKeyRingLoader.PreviousKeysSetting;
    public const string AllowEphemeralKeySetting = PlatformKeyRingLoader.AllowEphemeralKeySetting;

    /// <summary>
    /// The platform keys (one configuration: Secrets:EncryptionKey and Secrets:PreviousEncryptionKeys,
    /// or Secrets:KeyFile) encrypt secrets at rest directly (<see cref="ISecretProtector"/>, ADR 0008)
    /// and wrap the credential vault's data keys (<see cref="IKeyEncryptionKeyProvider"/>, ADR 0014).
    /// A KMS-backed <see cref="IKeyEncryptionKeyProvider"/> registered after this one takes its place
    /// for the credentials.
    /// </summary>
    public static IServiceCollection AddSecretProtection(this IServiceCollection services, IConfiguration configuration)
    {
        // Read when first resolved, not now: hosts and tests may add configuration after registration.
        services.AddSingleton(provider => PlatformKeyRingLoader.Load(configuration, provider.GetService<IHostEnvironment>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PlatformKeyRing))));
        services.AddSingleton<ISecretProtector>(provider => new AesGcmSecretProtector(provider.GetRequiredService<PlatformKeyRing>()));
        services.AddSingleton<IKeyEncryptionKeyProvider>(provider => new LocalKeyEncryptionKeyProvider(provider.GetRequiredService<PlatformKeyRing>()));
        services.AddSingleton<CredentialEnvelope>();
        return services;
    }
}
