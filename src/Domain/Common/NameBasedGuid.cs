using System.Security.Cryptography;

namespace Integrations.Domain.Common;

/// <summary>
/// Deterministic ids: the same name gives the same id in every process, so work that may be
/// repeated (a redelivered message) names the same thing twice.
/// </summary>
public static class NameBasedGuid
{
    public static Guid Create(ReadOnlySpan<byte> name) => FromHash(name, version: 5, prefix: []);

    /// <summary>The id named by two ids and a number (RFC 9562 version 5).</summary>
    public static Guid Create(Guid first, Guid second, int number = 0)
    {
        Span<byte> name = stackalloc byte[36];
        Name(first, second, number, name);
        return Create(name);
    }

    /// <summary>
    /// The id named by two ids and a number, that sorts by the time of <paramref name="first"/> (a
    /// UUIDv7, e.g. an event's id): its first 48 bits are <paramref name="first"/>'s millisecond
    /// timestamp, the other 74 free bits the SHA-1 of the name (RFC 9562 version 8, custom).
    /// Rows keyed by such ids are inserted at the end of their indexes instead of on a random
    /// page of each, which is what made the version 5 delivery ids costly to write.
    /// </summary>
    public static Guid CreateTimeOrdered(Guid first, Guid second, int number = 0)
    {
        Span<byte> name = stackalloc byte[36];
        Name(first, second, number, name);
        return FromHash(name, version: 8, prefix: name[..6]);
    }

    /// <summary>The SHA-1 of the name, its first bytes replaced by <paramref name="prefix"/>, with the version and RFC 9562 variant bits set.</summary>
    private static Guid FromHash(ReadOnlySpan<byte> name, int version, ReadOnlySpan<byte> prefix)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(name, hash);
        prefix.CopyTo(hash);
        hash[6] = (byte)((hash[6] & 0x0F) | (version << 4));
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    private static void Name(Guid first, Guid second, int number, Span<byte> name)
    {
        first.TryWriteBytes(name[..16], bigEndian: true, out _);
        second.TryWriteBytes(name[16..32], bigEndian: true, out _);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(name[32..], number);
    }
}
