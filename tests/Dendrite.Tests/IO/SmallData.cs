using System.Buffers.Binary;

namespace Dendrite.Tests.IO;

/// <summary>
/// A tiny learnable image set, 8x8 grey images of 4 classes (class c is a bright band on rows 2c and 2c + 1),
/// as a <see cref="Dataset"/> or as an MNIST-style folder of IDX files for the command line.
/// </summary>
internal static class SmallData
{
    public const int Side = 8, Classes = 4;

    public static (byte[] Pixels, byte[] Labels) Bytes(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var pixels = new byte[count * Side * Side];
        var labels = new byte[count];
        for (int n = 0; n < count; n++)
        {
            int c = rng.NextInt(Classes);
            labels[n] = (byte)c;
            var image = pixels.AsSpan(n * Side * Side, Side * Side);
            for (int i = 0; i < image.Length; i++) image[i] = (byte)rng.NextInt(90);
            for (int col = 0; col < Side; col++)
            {
                image[2 * c * Side + col] = (byte)(150 + rng.NextInt(106));
                image[(2 * c + 1) * Side + col] = (byte)(150 + rng.NextInt(106));
            }
        }
        return (pixels, labels);
    }

    public static Dataset Dataset(int count, ulong seed)
    {
        var (pixels, labels) = Bytes(count, seed);
        return new Dataset(pixels.Select(p => p * (1f / 255f)).ToArray(), [1, Side, Side], labels.Select(l => (int)l).ToArray(), Classes);
    }

    /// <summary>An IDX file: magic 0x000008NN, big-endian sizes, bytes.</summary>
    public static byte[] Idx(byte[] data, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x800u | (uint)dims.Length);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    /// <summary>Writes train and t10k image and label files into <paramref name="dir"/>.</summary>
    public static string Folder(string dir, int train, int test, ulong seed)
    {
        Directory.CreateDirectory(dir);
        foreach (var (prefix, count, s) in new[] { ("train", train, seed), ("t10k", test, seed + 1000) })
        {
            var (pixels, labels) = Bytes(count, s);
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), Idx(pixels, count, Side, Side));
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), Idx(labels, count));
        }
        return dir;
    }

    // One folder per test process, removed when the process ends.
    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), $"dendrite-tests-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        };
        return root;
    });

    public static string TempDir()
    {
        var dir = Path.Combine(Root.Value, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A small classifier over the 8x8 images, built and with nonzero biases.</summary>
    public static Sequential Net(string spec = "dense(16),relu,dense(4),softmax", ulong seed = 3)
    {
        var net = ModelSpec.Build(spec, [1, Side, Side], Classes, seed);
        var rng = new Rng(seed + 1);
        foreach (var p in net.Parameters)
            if (p.Name == "bias") rng.Uniform(p.Value.Span, -0.1f, 0.1f);
        return net;
    }
}
