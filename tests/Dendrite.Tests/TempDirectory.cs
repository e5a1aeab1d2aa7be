using System.Buffers.Binary;
using System.IO.Compression;

namespace Dendrite.Tests;

/// <summary>A fresh directory under the system temp folder, deleted on dispose; writes IDX files into it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("dendrite-tests-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>An IDX file's bytes: magic, big-endian sizes, data.</summary>
    public static byte[] Idx(uint magic, int[] dims, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), (uint)dims[i]);
        data.CopyTo(bytes.AsSpan(4 + 4 * dims.Length));
        return bytes;
    }

    /// <summary>Writes bytes to name, gzipped when the name ends in .gz; returns the full path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        if (name.EndsWith(".gz"))
        {
            using var file = System.IO.File.Create(path);
            using var gz = new GZipStream(file, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The four MNIST-style files of the synthetic image set; <paramref name="suffix"/> "" or ".gz".</summary>
    public void WriteImageSet(int train, int test, string suffix = "", ulong seed = 1)
    {
        foreach (var (stem, count, s) in new[] { ("train", train, seed), ("t10k", test, seed + 1000) })
        {
            var (pixels, labels) = Synthetic.ImageBytes(count, s);
            Write($"{stem}-images-idx3-ubyte{suffix}", Idx(0x803, [count, Synthetic.Side, Synthetic.Side], pixels));
            Write($"{stem}-labels-idx1-ubyte{suffix}", Idx(0x801, [count], labels));
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
