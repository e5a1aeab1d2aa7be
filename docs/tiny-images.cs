// 100,000 tiny 8x8 grey PNGs in 10 class folders (class k: a bright row k % 8, plus noise), for the README's many-files
// figure. Run: dotnet run docs/tiny-images.cs OUT_DIR
using System.IO.Compression;
using System.Buffers.Binary;

string root = args[0];
var rng = new Random(3);
uint[] table = new uint[256];
for (uint n = 0; n < 256; n++) { uint c = n; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1; table[n] = c; }
uint Crc(ReadOnlySpan<byte> b) { uint c = 0xFFFFFFFF; foreach (var x in b) c = table[(c ^ x) & 0xFF] ^ (c >> 8); return c ^ 0xFFFFFFFF; }
void Chunk(Stream s, string type, byte[] data)
{
    var len = new byte[4]; BinaryPrimitives.WriteInt32BigEndian(len, data.Length); s.Write(len);
    var td = new byte[4 + data.Length]; System.Text.Encoding.ASCII.GetBytes(type).CopyTo(td, 0); data.CopyTo(td, 4); s.Write(td);
    var crc = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(crc, Crc(td)); s.Write(crc);
}
for (int i = 0; i < 100_000; i++)
{
    int k = i % 10;
    string dir = Path.Combine(root, $"class{k}");
    Directory.CreateDirectory(dir);
    var raw = new byte[8 * 9];
    for (int y = 0; y < 8; y++) { raw[y * 9] = 0; for (int x = 0; x < 8; x++) raw[y * 9 + 1 + x] = (byte)(y == k % 8 ? 200 + rng.Next(56) : rng.Next(80)); }
    var z = new MemoryStream();
    using (var zs = new ZLibStream(z, CompressionLevel.Fastest, true)) zs.Write(raw);
    var ihdr = new byte[13]; BinaryPrimitives.WriteInt32BigEndian(ihdr, 8); BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 8); ihdr[8] = 8; ihdr[9] = 0;
    using var f = File.Create(Path.Combine(dir, $"{i:D6}.png"));
    f.Write(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
    Chunk(f, "IHDR", ihdr); Chunk(f, "IDAT", z.ToArray()); Chunk(f, "IEND", []);
}
