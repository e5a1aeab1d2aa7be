using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Dendrite.Tests.IO;

/// <summary>
/// Seeded random damage fed to every reader of outside input: the IDX reader, the safetensors model loader
/// and the spec parser. Each case must end in success or in the reader's documented exception, within a
/// second, allocating no more than a small multiple of its input.
/// </summary>
public class FuzzTests
{
    private const int Cases = 3000;

    /// <summary>
    /// Runs one case and checks how it ended, how long it took and that it allocated at most
    /// <paramref name="allowedBytes"/>. Returns true when the input was refused.
    /// </summary>
    private static bool Case<TDocumented>(Action read, long allowedBytes, string what) where TDocumented : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        bool refused = false;
        try
        {
            read();
        }
        catch (TDocumented)
        {
            refused = true;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} instead of {typeof(TDocumented).Name}: {e.Message}");
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"{what}: took {clock.Elapsed.TotalSeconds:F2} s");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= allowedBytes, $"{what}: allocated {allocated} bytes, more than {allowedBytes}");
        return refused;
    }

    /// <summary>What reading an input of <paramref name="length"/> bytes may allocate: a fixed 1 MiB plus <paramref name="ratio"/> times the input.</summary>
    private static long Budget(long length, long ratio) => (1 << 20) + ratio * length;

    /// <summary>One random change: bit flips, byte overwrites, extreme 4- or 8-byte values, truncation, insertion, a repeated chunk.</summary>
    private static byte[] Mutate(byte[] original, Rng rng)
    {
        var b = new List<byte>(original);
        switch (rng.NextInt(7))
        {
            case 0:
                for (int k = 1 + rng.NextInt(4); k > 0 && b.Count > 0; k--) b[rng.NextInt(b.Count)] ^= (byte)(1 << rng.NextInt(8));
                break;
            case 1:
                for (int k = 1 + rng.NextInt(8); k > 0 && b.Count > 0; k--) b[rng.NextInt(b.Count)] = (byte)rng.NextInt(256);
                break;
            case 2:
                ulong[] extremes = [0, 1, 0xFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFFFFFFFFFFFF, ulong.MaxValue, 1UL << 40];
                var v = extremes[rng.NextInt(extremes.Length)];
                int at = b.Count == 0 ? 0 : rng.NextInt(b.Count);
                for (int i = 0; i < 8 && at + i < b.Count; i++) b[at + i] = (byte)(v >> (8 * (rng.NextInt(2) == 0 ? i : 7 - i)));
                break;
            case 3:
                b = b.Take(rng.NextInt(b.Count + 1)).ToList();
                break;
            case 4:
                int pos = rng.NextInt(b.Count + 1);
                b.InsertRange(pos, Enumerable.Range(0, 1 + rng.NextInt(16)).Select(_ => (byte)rng.NextInt(256)));
                break;
            case 5:
                int start = rng.NextInt(b.Count + 1), length = rng.NextInt(Math.Max(1, b.Count - start));
                b.InsertRange(rng.NextInt(b.Count + 1), b.GetRange(start, length));
                break;
            default:
                b.RemoveRange(0, rng.NextInt(Math.Min(16, b.Count) + 1));
                break;
        }
        return [.. b];
    }

    private static byte[] Gzip(byte[] data)
    {
        var s = new MemoryStream();
        using (var gz = new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return s.ToArray();
    }

    private static IdxFile ReadIdx(byte[] bytes, int dims, bool compressed)
    {
        Stream s = new MemoryStream(bytes);
        if (compressed) s = new GZipStream(s, CompressionMode.Decompress);
        using (s) return IdxFile.Read(s, compressed ? "f.gz" : "f", dims, bytes.Length, compressed);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(1, false)]
    [InlineData(3, true)]
    [InlineData(1, true)]
    public void Idx_reader_survives_random_damage(int dims, bool compressed)
    {
        var (pixels, labels) = SmallData.Bytes(12, 1);
        var plain = dims == 3 ? SmallData.Idx(pixels, 12, 8, 8) : SmallData.Idx(labels, 12);
        var valid = compressed ? Gzip(plain) : plain;
        Assert.Equal(12, ReadIdx(valid, dims, compressed).Dims[0]);
        var rng = new Rng((ulong)(dims * 10 + (compressed ? 1 : 0)));
        // A gzip file may legitimately claim up to deflate's 1032:1 ratio before the reader can tell.
        long ratio = compressed ? 1100 : 4;
        for (int i = 0; i < Cases; i++)
        {
            var bytes = Mutate(valid, rng);
            Case<InvalidDataException>(() => ReadIdx(bytes, dims, compressed), Budget(bytes.Length, ratio), $"idx case {i}");
        }
    }

    [Theory]
    [InlineData(0x00000803u, 60000, 28, 28, "header claims 47040000 bytes of data, file holds 6")]
    [InlineData(0x00000803u, 2147483647, 2147483647, 2, "more than any array holds")]
    [InlineData(0x00000801u, 5, 0, 0, "IDX magic 0x00000801, expected 0x00000803 (images)")]
    [InlineData(0x08030000u, 1, 1, 1, "IDX magic 0x08030000")]
    public void Idx_headers_that_lie_are_refused_before_allocating(uint magic, int n, int h, int w, string problem)
    {
        var bytes = new byte[22];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), h);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), w);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ReadIdx(bytes, 3, false));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
        Assert.Contains(problem, e.Message);
        Assert.Throws<InvalidDataException>(() => ReadIdx(Gzip(bytes), 3, true));
    }

    private static byte[] ModelBytes()
    {
        var net = SmallData.Net("dense(6),leakyrelu(0.2),dense(4),softmax");
        var s = new MemoryStream();
        ModelFile.Writer(net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), ["a", "b", "c", "d"])).WriteTo(s);
        return s.ToArray();
    }

    /// <summary>Edits the JSON header as text (a number made huge or negative, a character changed) and fixes the length prefix.</summary>
    private static byte[] MutateHeader(byte[] file, Rng rng)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = Encoding.UTF8.GetString(file, 8, length);
        var numbers = System.Text.RegularExpressions.Regex.Matches(header, "-?[0-9]+");
        if (rng.NextInt(3) > 0 && numbers.Count > 0)
        {
            var m = numbers[rng.NextInt(numbers.Count)];
            string[] replacements = ["0", "-1", "1", "2147483647", "2147483648", "4294967296", "9223372036854775807", "99999999999999999999", "1e9", "3.5"];
            header = header[..m.Index] + replacements[rng.NextInt(replacements.Length)] + header[(m.Index + m.Length)..];
        }
        else
        {
            const string alphabet = "{}[]\",:0123456789 abcdefxyzFI32_.\\\u0000é";
            var chars = header.ToCharArray();
            chars[rng.NextInt(chars.Length)] = alphabet[rng.NextInt(alphabet.Length)];
            header = new string(chars);
        }
        var json = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + json.Length + file.Length - 8 - length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        file.AsSpan(8 + length).CopyTo(result.AsSpan(8 + json.Length));
        return result;
    }

    [Fact]
    public void Model_loader_survives_random_damage()
    {
        var valid = ModelBytes();
        Assert.Equal(4, ModelFile.Load(new MemoryStream(valid), "m").Metadata.Outputs);
        var rng = new Rng(21);
        int refused = 0;
        for (int i = 0; i < 2 * Cases; i++)
        {
            var bytes = i % 2 == 0 ? Mutate(valid, rng) : MutateHeader(valid, rng);
            if (Case<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes), "m"), Budget(bytes.Length, 16), $"model case {i}")) refused++;
        }
        // Most damage lands in the header and is refused; flips inside the float data load as other weights.
        Assert.InRange(refused, Cases, 2 * Cases);
    }

    [Fact]
    public void Spec_parser_survives_random_edits()
    {
        string[] specs =
        [
            ModelSpec.Presets["mlp"], "perceptron",
            "dense(10,init=xavier,bias=false),leakyrelu(0.1),elu(alpha=2),step(ste),gaussian,tanh,sigmoid,linear,dense(4),softmax",
            "flatten,dense(units=8),threshold,identity,dense(4)",
        ];
        const string alphabet = "dense()relu,=0123456789.-+eE xavierhbtfalsNI_\u0000é)(";
        var rng = new Rng(33);
        int built = 0;
        for (int i = 0; i < Cases; i++)
        {
            var chars = specs[i % specs.Length].ToList();
            for (int k = 1 + rng.NextInt(3); k > 0; k--)
            {
                int at = rng.NextInt(chars.Count + 1);
                switch (rng.NextInt(3))
                {
                    case 0: chars.Insert(at, alphabet[rng.NextInt(alphabet.Length)]); break;
                    case 1: if (at < chars.Count) chars.RemoveAt(at); break;
                    default: if (at < chars.Count) chars[at] = alphabet[rng.NextInt(alphabet.Length)]; break;
                }
            }
            var spec = new string([.. chars]);
            Case<SpecException>(() =>
            {
                var layers = ModelSpec.Parse(spec);
                // A spec is the user's own request: build it only when its weights are small, as a test should.
                long width = 64, weights = 0;
                foreach (var d in layers.OfType<Dense>()) { weights += d.Units * (width + 1); width = d.Units; }
                if (weights > 4_000_000) return;
                ModelSpec.Build(spec, [1, 8, 8], 4, seed: 1);
                built++;
            }, 48 << 20, $"spec case {i} '{spec}'"); // up to 4M weights and their gradients
        }
        Assert.InRange(built, 1, Cases - 1);
    }
}
