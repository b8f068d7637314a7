using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Integrations.Infrastructure.Security.Keys;

/// <summary>
/// The platform's own 256-bit keys: the current one (new values are encrypted under it) and the
/// previous ones (kept so that what they encrypted stays readable). One ring serves both the secret
/// protector (ADR 0008) and the credential vault's key-encryption keys (ADR 0014), from configuration
/// or a key file (<see cref="PlatformKeyRingLoader"/>).
/// </summary>
public sealed class PlatformKeyRing
{
    public const int KeyBytes = 32;

    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public PlatformKeyRing(byte[] currentKey, IEnumerable<byte[]> previousKeys)
    {
        CurrentKeyId = Add(currentKey);
        foreach (var key in previousKeys) Add(key);
    }

    public string CurrentKeyId { get; }

    public byte[] CurrentKey => _keys[CurrentKeyId];

    /// <summary>Every key id on the ring, the current one included.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>A short public name for a key: 32 bits of its SHA-256, which says nothing useful about a 256-bit key.</summary>
    public static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];

    public bool TryGetKey(string keyId, [NotNullWhen(true)] out byte[]? key) => _keys.TryGetValue(keyId, out key);

    private string Add(byte[] key)
    {
        if (key.Length != KeyBytes) throw new ArgumentException($"An encryption key must be {KeyBytes} bytes.", nameof(key));
        var id = KeyId(key);
        _keys[id] = key;
        return id;
    }
}
