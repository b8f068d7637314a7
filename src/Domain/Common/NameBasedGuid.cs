using System.Security.Cryptography;

namespace Integrations.Domain.Common;

/// <summary>
/// Deterministic ids (RFC 9562 version 5: SHA-1 of a name): the same name gives the same id in
/// every process, so work that may be repeated (a redelivered message) names the same thing twice.
/// </summary>
public static class NameBasedGuid
{
    public static Guid Create(ReadOnlySpan<byte> name)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(name, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>The id named by two ids and a number, e.g. (delivery, attempt).</summary>
    public static Guid Create(Guid first, Guid second, int number = 0)
    {
        Span<byte> name = stackalloc byte[36];
        first.TryWriteBytes(name[..16], bigEndian: true, out _);
        second.TryWriteBytes(name[16..32], bigEndian: true, out _);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(name[32..], number);
        return Create(name);
    }
}
