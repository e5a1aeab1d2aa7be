using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Dendrite;

/// <summary>
/// The images of one IDX file read from disk as they are needed: each sample is a positioned read of its bytes, scaled to
/// [0, 1] as <see cref="IdxDataset"/> scales them, so a streamed set holds the same values as a loaded one. A gzipped file
/// cannot be read at an offset, so it is first unpacked into a temporary file that is unlinked as soon as it is open
/// (nothing is left behind, even when the process is killed); that takes disk space, not memory.
/// </summary>
public sealed class IdxSamples : SampleSource
{
    private readonly SafeFileHandle _file;
    private readonly long _dataStart;
    private readonly int _size;
    private readonly ThreadLocal<byte[]> _bytes;

    private IdxSamples(string path, SafeFileHandle file, long dataStart, int count, int[] shape)
    {
        Name = path;
        _file = file;
        _dataStart = dataStart;
        Count = count;
        SampleShape = shape;
        _size = Tensor.Volume(shape);
        _bytes = new ThreadLocal<byte[]>(() => new byte[_size]);
    }

    /// <inheritdoc/>
    public override int Count { get; }
    /// <inheritdoc/>
    public override int[] SampleShape { get; }
    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>
    /// Opens the image file <paramref name="path"/> ([N, H, W] or [N, C, H, W], plain or .gz) for reading its first
    /// <paramref name="limit"/> samples. Its header is checked as <see cref="IdxFile.Read(string, int)"/> checks it; a
    /// gzipped file is unpacked to a temporary file first, checked for truncation and trailing bytes on the way.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header or the data size is wrong, naming the file.</exception>
    public static IdxSamples Open(string path, int limit = int.MaxValue)
    {
        var dims = IdxFile.ReadDims(path, 3);
        long header = 4 + 4L * dims.Length, bytes = 1, sample = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] <= 0) throw new InvalidDataException($"{path}: dimension {i} is {dims[i]}");
            bytes *= dims[i];
            if (i > 0) sample *= dims[i];
            if (sample > Array.MaxLength / 4 || bytes > 1L << 48) throw new InvalidDataException($"{path}: header claims {bytes}+ bytes of data, more than Dendrite reads");
        }
        int[] shape = dims.Length == 4 ? dims[1..] : [1, .. dims[1..]];
        bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        if (gz && header + bytes > new FileInfo(path).Length * 1032)
            throw new InvalidDataException($"{path}: header claims {bytes} bytes of data, more than {new FileInfo(path).Length} compressed bytes can hold");
        try
        {
            var file = gz ? Unpack(path, header + bytes) : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            long length = RandomAccess.GetLength(file);
            if (length != header + bytes)
            {
                file.Dispose();
                throw new InvalidDataException($"{path}: header claims {bytes} bytes of data, file holds {length - header}");
            }
            return new IdxSamples(path, file, header, Math.Min(dims[0], limit), shape);
        }
        catch (IOException e) when (e is not FileNotFoundException) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    // Unpacks a gzipped file into an unlinked temporary file and returns it open for reading.
    private static SafeFileHandle Unpack(string path, long expected)
    {
        try
        {
            return ScratchFile.Create(".idx", target =>
            {
                using var source = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
                var buffer = new byte[1 << 20];
                long total = 0;
                int n;
                while ((n = source.Read(buffer)) > 0)
                {
                    total += n;
                    if (total > expected) throw new InvalidDataException($"{path}: more data than the header's {expected} bytes");
                    target.Write(buffer, 0, n);
                }
                if (total < expected) throw new InvalidDataException($"{path}: truncated: header claims {expected} bytes, file holds {total}");
            });
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal)) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <inheritdoc/>
    public override void Read(int index, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        var bytes = _bytes.Value!;
        if (!ScratchFile.ReadExactly(_file, bytes, _dataStart + (long)index * _size))
            throw new InvalidDataException($"{Name}: the file got shorter while it was read (sample {index})");
        for (int i = 0; i < _size; i++) destination[i] = bytes[i] * (1f / 255f);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _file.Dispose();
        _bytes.Dispose();
    }
}
