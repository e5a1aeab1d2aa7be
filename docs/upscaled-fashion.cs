// Fashion-MNIST upscaled to 3x56x56 colour (each plane of each image scaled by a seeded random 0.4-1.0): a 4-d IDX set for
// the streaming figure in the README. Run: dotnet run docs/upscaled-fashion.cs OUT_DIR (needs dataset-fashion-mnist).
using System.Buffers.Binary;
using System.IO.Compression;

string src = "/usr/share/datasets/fashion-mnist", dst = args[0];
Directory.CreateDirectory(dst);
var rng = new Random(7);
foreach (var stem in new[] { "train", "t10k" })
{
    byte[] Read(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(src, name + ".gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
    var images = Read($"{stem}-images-idx3-ubyte");
    var labels = Read($"{stem}-labels-idx1-ubyte");
    File.WriteAllBytes(Path.Combine(dst, $"{stem}-labels-idx1-ubyte"), labels);
    int n = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
    using var output = new FileStream(Path.Combine(dst, $"{stem}-images-idx3-ubyte"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    var head = new byte[20];
    BinaryPrimitives.WriteUInt32BigEndian(head, 0x804);
    BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(4), n);
    BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(8), 3);
    BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(12), 56);
    BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(16), 56);
    output.Write(head);
    var sample = new byte[3 * 56 * 56];
    for (int i = 0; i < n; i++)
    {
        var img = images.AsSpan(16 + i * 784, 784);
        for (int c = 0; c < 3; c++)
        {
            float tint = 0.4f + 0.6f * (float)rng.NextDouble();
            for (int y = 0; y < 56; y++)
                for (int x = 0; x < 56; x++)
                    sample[c * 3136 + y * 56 + x] = (byte)(img[(y / 2) * 28 + x / 2] * tint);
        }
        output.Write(sample);
    }
}
