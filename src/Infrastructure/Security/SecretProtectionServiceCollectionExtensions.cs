using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Security;

public static class SecretProtectionServiceCollectionExtensions
{
    public const string KeySetting = "Secrets:EncryptionKey";
    public const string PreviousKeysSetting = "Secrets:PreviousEncryptionKeys";
    public const string AllowEphemeralKeySetting = "Secrets:AllowEphemeralKey";

    /// <summary>
    /// The platform key encrypts secrets at rest. Without one, Development and Testing (or
    /// Secrets:AllowEphemeralKey=true) get a random key per process: secrets written then become
    /// unreadable after a restart or in another process, so anything longer-lived must configure it.
    /// </summary>
    public static IServiceCollection AddSecretProtection(this IServiceCollection services, IConfiguration configuration)
    {
        // Read when first resolved, not now: hosts and tests may add configuration after registration.
        services.AddSingleton<ISecretProtector>(provider =>
        {
            var previous = configuration.GetSection(PreviousKeysSetting).GetChildren()
                .Where(c => !string.IsNullOrWhiteSpace(c.Value)).Select(c => Decode(c.Value!, $"{PreviousKeysSetting}:{c.Key}")).ToList();
            if (configuration[KeySetting] is { Length: > 0 } configured)
                return new AesGcmSecretProtector(Decode(configured, KeySetting), previous);

            var environment = provider.GetService<IHostEnvironment>();
            var ephemeralAllowed = configuration.GetValue<bool>(AllowEphemeralKeySetting) ||
                                   environment is not null && (environment.IsDevelopment() || environment.IsEnvironment("Testing"));
            if (!ephemeralAllowed)
                throw new InvalidOperationException(
                    $"{KeySetting} is not configured. Set it (environment Secrets__EncryptionKey) to the base64 of 32 random bytes, e.g. `openssl rand -base64 32`, and keep it: it decrypts every stored webhook secret.");
            provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AesGcmSecretProtector)).LogWarning(
                "{Setting} is not configured: using a random key for this process only. Secrets stored now cannot be read after a restart or by another process.",
                KeySetting);
            return new AesGcmSecretProtector(System.Security.Cryptography.RandomNumberGenerator.GetBytes(AesGcmSecretProtector.KeyBytes), previous);
        });
        return services;
    }

    private static byte[] Decode(string base64, string setting)
    {
        try
        {
            var key = Convert.FromBase64String(base64.Trim());
            if (key.Length == AesGcmSecretProtector.KeyBytes) return key;
        }
        catch (FormatException)
        {
        }
        throw new InvalidOperationException($"{setting} must be the base64 of exactly {AesGcmSecretProtector.KeyBytes} bytes.");
    }
}
