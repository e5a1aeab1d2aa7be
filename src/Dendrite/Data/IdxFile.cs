using System.Buffers.Binary;
using System.IO.Compression;

namespace Dendrite;

/// <summary>
/// One IDX file (the MNIST format): magic 0x000008NN (unsigned bytes, NN dimensions), NN big-endian
/// 32-bit sizes, then the bytes. Plain or gzip. Sizes are checked against the file before anything large
/// is allocated: a plain file must hold exactly the claimed bytes, and a gzip file cannot claim more than
/// deflate's maximum ratio (1032:1) allows.
/// </summary>
public sealed class IdxFile
{
    private const int MaxDims = 4;
    private const long DeflateMaxRatio = 1032;

    /// <summary>The file it was read from.</summary>
    public required string Path { get; init; }
    /// <summary>The sizes in the header: [N, H, W] or [N, C, H, W] for images, [N] for labels.</summary>
    public required int[] Dims { get; init; }
    /// <summary>The items as unsigned bytes, row-major.</summary>
    public required byte[] Data { get; init; }

    /// <summary>
    /// Reads <paramref name="path"/>, gunzipping it when the name ends in .gz; it must have <paramref name="expectedDims"/>
    /// dimensions, except that an image file (3) may have 4: [N, C, H, W], magic 0x00000804.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// Naming the file: a wrong magic number, a zero dimension, a data size that does not match the header, truncation,
    /// bytes after the data, a corrupt gzip stream or an I/O error.
    /// </exception>
    public static IdxFile Read(string path, int expectedDims)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"{path}: file not found", path);
            using var file = info.OpenRead();
            bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            using Stream s = gz ? new GZipStream(file, CompressionMode.Decompress) : file;
            return Read(s, path, expectedDims, info.Length, gz);
        }
        // GZipStream's own errors (not gzip, corrupt deflate) do not name the file.
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal)) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        catch (FileNotFoundException) { throw; }
        catch (IOException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Only the sizes in the header of <paramref name="path"/> (gunzipping the first bytes of a .gz), to know what reading it will cost.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Read(string, int)"/>, for the header.</exception>
    public static int[] ReadDims(string path, int expectedDims)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        try
        {
            using var file = File.OpenRead(path);
            using Stream s = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            var magic = new byte[4];
            ReadExactly(s, magic, path, "the magic number");
            uint m = BinaryPrimitives.ReadUInt32BigEndian(magic);
            if (expectedDims == 3 && m == 0x00000804u) expectedDims = 4; // [N, C, H, W] images
            else if (m != (0x00000800u | (uint)expectedDims))
                throw new InvalidDataException($"{path}: IDX magic 0x{m:X8}, expected 0x{0x00000800u | (uint)expectedDims:X8}");
            var head = new byte[4 * expectedDims];
            ReadExactly(s, head, path, "the end of the header");
            var dims = new int[expectedDims];
            for (int i = 0; i < expectedDims; i++)
                dims[i] = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(4 * i)));
            return dims;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal)) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        catch (IOException e) when (e is not FileNotFoundException) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads an IDX file from a stream.</summary>
    /// <param name="s">The file's bytes from the start, decompressed.</param>
    /// <param name="path">Names the file in error messages.</param>
    /// <param name="expectedDims">The number of dimensions the magic number must announce: 3 for images, 1 for labels.</param>
    /// <param name="fileLength">Bytes on disk, to check the header's sizes against before allocating.</param>
    /// <param name="compressed">Whether the file on disk is gzipped: its data may then be up to 1032 times <paramref name="fileLength"/>.</param>
    /// <exception cref="InvalidDataException">As <see cref="Read(string, int)"/>, naming <paramref name="path"/>.</exception>
    public static IdxFile Read(Stream s, string path, int expectedDims, long fileLength, bool compressed)
    {
        Span<byte> head = stackalloc byte[4];
        ReadExactly(s, head, path, "the magic number");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(head);
        uint expectedMagic = 0x00000800u | (uint)expectedDims;
        // Images are grey [N, H, W] or [N, C, H, W] (colour): an image file of 3 dimensions may have 4.
        if (expectedDims == 3 && magic == 0x00000804u) expectedDims = 4;
        else if (magic != expectedMagic)
            throw new InvalidDataException($"{path}: IDX magic 0x{magic:X8}, expected 0x{expectedMagic:X8} ({(expectedDims == 1 ? "labels" : "images) or 0x00000804 (images [N, C, H, W]")})");
        var dims = new int[expectedDims];
        Span<byte> size = stackalloc byte[4];
        long count = 1;
        for (int i = 0; i < expectedDims; i++)
        {
            ReadExactly(s, size, path, $"dimension {i}");
            uint d = BinaryPrimitives.ReadUInt32BigEndian(size);
            if (d == 0 || d > int.MaxValue) throw new InvalidDataException($"{path}: dimension {i} is {d}");
            dims[i] = (int)d;
            count *= d;
            if (count > Array.MaxLength) throw new InvalidDataException($"{path}: header claims {count}+ items, more than any array holds");
        }
        long header = 4 + 4L * expectedDims;
        if (!compressed && header + count != fileLength)
            throw new InvalidDataException($"{path}: header claims {count} bytes of data, file holds {fileLength - header}");
        if (compressed && header + count > fileLength * DeflateMaxRatio)
            throw new InvalidDataException($"{path}: header claims {count} bytes of data, more than {fileLength} compressed bytes can hold");
        var data = new byte[count];
        int read = s.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
            throw new InvalidDataException($"{path}: truncated: header claims {count} bytes of data, file holds {read}");
        if (s.ReadByte() >= 0)
            throw new InvalidDataException($"{path}: more data than the header's {count} bytes");
        return new IdxFile { Path = path, Dims = dims, Data = data };
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string path, string what)
    {
        if (s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw new InvalidDataException($"{path}: truncated before {what}");
    }
}
