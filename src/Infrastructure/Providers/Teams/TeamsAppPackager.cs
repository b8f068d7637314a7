using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Connectors;

namespace Integrations.Infrastructure.Providers.Teams;

/// <summary>
/// <see cref="ITeamsAppPackager"/>: manifest.json and the two icons Teams requires
/// (learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-package): color.png, 192×192, a
/// full-colour square; outline.png, 32×32, white on transparent. Both drawn here as PNGs (RFC 2083).
/// </summary>
public sealed class TeamsAppPackager : ITeamsAppPackager
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public byte[] Package(JsonObject manifest)
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(archive, "manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString(Indented)));
            // The accent colour filled, with a white ring; the outline a white ring on transparent.
            Add(archive, "color.png", Png.Rgba(192, (x, y) => Ring(x, y, 192) ? (byte)255 : (byte)0x4F, (x, y) => Ring(x, y, 192) ? (byte)255 : (byte)0x6B,
                (x, y) => Ring(x, y, 192) ? (byte)255 : (byte)0xED, (_, _) => 255));
            Add(archive, "outline.png", Png.Rgba(32, (_, _) => 255, (_, _) => 255, (_, _) => 255, (x, y) => Ring(x, y, 32) ? (byte)255 : (byte)0));
        }
        return zip.ToArray();
    }

    private static bool Ring(int x, int y, int size)
    {
        double c = (size - 1) / 2.0, d = Math.Sqrt((x - c) * (x - c) + (y - c) * (y - c));
        return d > size * 0.28 && d < size * 0.38;
    }

    private static void Add(ZipArchive archive, string name, byte[] content)
    {
        using var entry = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
        entry.Write(content);
    }

    /// <summary>A minimal PNG writer: 8-bit RGBA, one IDAT, no filtering.</summary>
    internal static class Png
    {
        private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
        {
            var c = (uint)n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            return c;
        }).ToArray();

        public static byte[] Rgba(int size, Func<int, int, byte> r, Func<int, int, byte> g, Func<int, int, byte> b, Func<int, int, byte> a)
        {
            var raw = new byte[size * (size * 4 + 1)];
            for (var y = 0; y < size; y++)
            {
                var row = y * (size * 4 + 1);
                for (var x = 0; x < size; x++)
                {
                    var at = row + 1 + x * 4;
                    (raw[at], raw[at + 1], raw[at + 2], raw[at + 3]) = (r(x, y), g(x, y), b(x, y), a(x, y));
                }
            }
            using var compressed = new MemoryStream();
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
            var header = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, size);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
            (header[8], header[9]) = (8, 6);
            using var png = new MemoryStream();
            png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
            Chunk(png, "IHDR", header);
            Chunk(png, "IDAT", compressed.ToArray());
            Chunk(png, "IEND", []);
            return png.ToArray();
        }

        private static void Chunk(Stream png, string type, byte[] data)
        {
            Span<byte> number = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
            png.Write(number);
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(typed);
            var crc = 0xFFFFFFFFu;
            foreach (var x in typed) crc = CrcTable[(crc ^ x) & 0xFF] ^ (crc >> 8);
            BinaryPrimitives.WriteUInt32BigEndian(number, crc ^ 0xFFFFFFFFu);
            png.Write(number);
        }
    }
}
