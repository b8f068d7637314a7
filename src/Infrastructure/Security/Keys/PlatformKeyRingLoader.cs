using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Security.Keys;

/// <summary>
/// Reads the platform keys from one of two sources, never both: configuration
/// (<c>Secrets:EncryptionKey</c> + <c>Secrets:PreviousEncryptionKeys:N</c>) or a key file
/// (<c>Secrets:KeyFile</c>). A key is the base64 of 32 bytes. Error messages name settings, files
/// and line numbers, never a key.
/// </summary>
public static class PlatformKeyRingLoader
{
    public const string KeySetting = "Secrets:EncryptionKey";
    public const string PreviousKeysSetting = "Secrets:PreviousEncryptionKeys";
    public const string KeyFileSetting = "Secrets:KeyFile";
    public const string AllowEphemeralKeySetting = "Secrets:AllowEphemeralKey";

    /// <summary>In a key directory, the file that holds the current key; every other file holds a previous one.</summary>
    public const string CurrentKeyFileName = "current";

    /// <summary>
    /// Without any key, Development and Testing (or Secrets:AllowEphemeralKey=true) get a random key
    /// per process: what it encrypts becomes unreadable after a restart or in another process.
    /// </summary>
    public static PlatformKeyRing Load(IConfiguration configuration, IHostEnvironment? environment, ILogger logger)
    {
        var previous = configuration.GetSection(PreviousKeysSetting).GetChildren()
            .Where(c => !string.IsNullOrWhiteSpace(c.Value)).Select(c => Decode(c.Value!, $"{PreviousKeysSetting}:{c.Key}")).ToList();
        var configured = configuration[KeySetting];
        if (configuration[KeyFileSetting] is { Length: > 0 } keyFile)
        {
            if (!string.IsNullOrEmpty(configured) || previous.Count > 0)
                throw new InvalidOperationException(
                    $"{KeyFileSetting} and {KeySetting}/{PreviousKeysSetting} are alternatives: configure the platform keys in one place only.");
            return FromKeyFile(keyFile, logger);
        }
        if (!string.IsNullOrEmpty(configured)) return new PlatformKeyRing(Decode(configured, KeySetting), previous);

        var ephemeralAllowed = configuration.GetValue<bool>(AllowEphemeralKeySetting) ||
                               environment is not null && (environment.IsDevelopment() || environment.IsEnvironment("Testing"));
        if (!ephemeralAllowed)
            throw new InvalidOperationException(
                $"{KeySetting} is not configured. Set it (environment Secrets__EncryptionKey) to the base64 of 32 random bytes, e.g. `openssl rand -base64 32`, " +
                $"or point {KeyFileSetting} at a key file, and keep it: it decrypts every stored webhook secret and connection credential.");
        logger.LogWarning(
            "{Setting} is not configured: using a random key for this process only. Secrets stored now cannot be read after a restart or by another process.",
            KeySetting);
        return new PlatformKeyRing(RandomNumberGenerator.GetBytes(PlatformKeyRing.KeyBytes), previous);
    }

    /// <summary>
    /// A file: one base64 key per line, the current key first, then the previous ones (blank lines
    /// and lines starting with # are skipped). A directory (e.g. a mounted Kubernetes secret): the
    /// file <c>current</c> holds the current key, every other file one previous key (names starting
    /// with a dot are skipped).
    /// </summary>
    public static PlatformKeyRing FromKeyFile(string path, ILogger logger)
    {
        if (Directory.Exists(path))
        {
            var current = Path.Combine(path, CurrentKeyFileName);
            if (!File.Exists(current))
                throw new InvalidOperationException($"{KeyFileSetting} names the directory {path}, which has no file '{CurrentKeyFileName}' with the current key.");
            var previous = Directory.EnumerateFiles(path)
                .Where(f => Path.GetFileName(f) is var name && name != CurrentKeyFileName && !name.StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .Select(f => ReadKeys(f, logger).Single(f))
                .ToList();
            return new PlatformKeyRing(ReadKeys(current, logger).Single(current), previous);
        }
        if (!File.Exists(path)) throw new InvalidOperationException($"{KeyFileSetting} names {path}, which does not exist.");
        var keys = ReadKeys(path, logger);
        if (keys.Count == 0) throw new InvalidOperationException($"The key file {path} ({KeyFileSetting}) holds no key.");
        return new PlatformKeyRing(keys[0], keys.Skip(1));
    }

    private static List<byte[]> ReadKeys(string file, ILogger logger)
    {
        WarnIfReadableByOthers(file, logger);
        var keys = new List<byte[]>();
        var lines = File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            keys.Add(Decode(line, $"{file} line {i + 1}"));
        }
        return keys;
    }

    private static byte[] Single(this List<byte[]> keys, string file) => keys.Count == 1
        ? keys[0]
        : throw new InvalidOperationException($"The key file {file} in the {KeyFileSetting} directory must hold exactly one key; it holds {keys.Count}.");

    private static void WarnIfReadableByOthers(string file, ILogger logger)
    {
        if (OperatingSystem.IsWindows()) return;
        if ((File.GetUnixFileMode(file) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            logger.LogWarning("The key file {File} can be read or written by any user of this machine: restrict it (chmod 600 or 640).", file);
    }

    private static byte[] Decode(string base64, string source)
    {
        try
        {
            var key = Convert.FromBase64String(base64.Trim());
            if (key.Length == PlatformKeyRing.KeyBytes) return key;
        }
        catch (FormatException)
        {
        }
        throw new InvalidOperationException($"{source} must be the base64 of exactly {PlatformKeyRing.KeyBytes} bytes.");
    }
}
