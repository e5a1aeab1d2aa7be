// Fashion-MNIST as colour [N, 3, S, S] IDX (each plane of each image scaled by a seeded random 0.4-1.0), upscaled by
// repeating pixels to side S (28 or 56): the data of the README's streaming figure (S = 56) and of the libtorch colour import
// check (S = 28). Run: dotnet run docs/upscaled-fashion.cs OUT_DIR [S] (needs dataset-fashion-mnist).
using System.Buffers.Binary;
using System.IO.Compression;

string src = "/usr/share/datasets/fashion-mnist", dst = args[0];
int side = args.Length > 1 ? int.Parse(args[1]) : 56, scale = side / 28;
if (side % 28 != 0 || side == 0) throw new ArgumentException($"side must be a multiple of 28, got {side}");
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
    BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(12), side);
    BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(16), side);
    output.Write(head);
    var sample = new byte[3 * side * side];
    for (int i = 0; i < n; i++)
    {
        var img = images.AsSpan(16 + i * 784, 784);
        for (int c = 0; c < 3; c++)
        {
            float tint = 0.4f + 0.6f * (float)rng.NextDouble();
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                    sample[c * side * side + y * side + x] = (byte)(img[(y / scale) * 28 + x / scale] * tint);
        }
        output.Write(sample);
    }
}
