using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Dendrite;

/// <summary>
/// A safetensors file read and checked in full before any tensor is handed out. Everything is validated
/// before the data area is allocated: the header length lies within the file and under
/// <see cref="MaxHeaderBytes"/>, the header is well-formed JSON of the expected shape, every dtype is F32 or
/// I32 (or I64, which PyTorch writes for a batch norm's <c>num_batches_tracked</c>; its values are never read), every
/// shape's volume matches its byte range, and the ranges tile the data area exactly (sorted, no
/// gaps, no overlaps). Any problem is an <see cref="InvalidDataException"/> naming the file and the problem,
/// so a hostile file costs at most its own size in memory.
/// </summary>
public sealed class SafeTensorsFile
{
    /// <summary>The reference implementation's limit on the JSON header.</summary>
    public const long MaxHeaderBytes = 100_000_000;
    /// <summary>The largest tensor rank the reader accepts.</summary>
    public const int MaxRank = 8;

    private readonly byte[] _data;
    private readonly Dictionary<string, SafeTensorsEntry> _byName;

    private SafeTensorsFile(string path, Dictionary<string, string> metadata, List<SafeTensorsEntry> entries, byte[] data)
    {
        Path = path;
        Metadata = metadata;
        Entries = entries;
        _data = data;
        _byName = entries.ToDictionary(e => e.Name);
    }

    /// <summary>The path given when reading; every error message starts with it.</summary>
    public string Path { get; }
    /// <summary>The header's <c>__metadata__</c> strings; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in data order.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The tensor named <paramref name="name"/>, or null when the file has none.</summary>
    public SafeTensorsEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads and checks the whole file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file or its folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The file fails a check in the class summary, or cannot be read; the message names it.</exception>
    public static SafeTensorsFile Read(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return Read(file, path);
        }
        catch (FileNotFoundException) { throw new FileNotFoundException($"{path}: file not found", path); }
        catch (DirectoryNotFoundException) { throw new FileNotFoundException($"{path}: file not found", path); }
        catch (InvalidDataException) { throw; }
        catch (IOException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads from a seekable stream positioned at the file's start; <paramref name="path"/> names it in errors.</summary>
    public static SafeTensorsFile Read(Stream stream, string path)
    {
        try
        {
            return ReadChecked(stream, path);
        }
        catch (EndOfStreamException)
        {
            throw Bad(path, "truncated: the file ended before the header's data");
        }
    }

    private static SafeTensorsFile ReadChecked(Stream stream, string path)
    {
        long fileLength = stream.Length - stream.Position;
        Span<byte> prefix = stackalloc byte[8];
        if (fileLength < 8 || stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw Bad(path, $"{fileLength} bytes is too short for a safetensors file (8-byte header length first)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > MaxHeaderBytes || headerLength > (ulong)(fileLength - 8))
            throw Bad(path, $"header length {headerLength} does not fit a {fileLength}-byte file (limit {MaxHeaderBytes})");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        if (header[0] != (byte)'{') throw Bad(path, "header does not start with '{' (not a safetensors file?)");
        if (!System.Text.Unicode.Utf8.IsValid(header)) throw Bad(path, "header is not valid UTF-8");

        long dataLength = fileLength - 8 - (long)headerLength;
        var (metadata, entries) = ParseHeader(header, dataLength, path);
        if (dataLength > Array.MaxLength) throw Bad(path, $"data area of {dataLength} bytes is larger than Dendrite reads");
        var data = new byte[dataLength];
        stream.ReadExactly(data);
        return new SafeTensorsFile(path, metadata, entries, data);
    }

    /// <summary>The values of an F32 tensor.</summary>
    public float[] Floats(SafeTensorsEntry e)
    {
        Require(e, "F32");
        var values = MemoryMarshal.Cast<byte, float>(_data.AsSpan((int)e.Begin, (int)(e.End - e.Begin))).ToArray();
        if (!BitConverter.IsLittleEndian) ReverseEach(MemoryMarshal.Cast<float, int>(values.AsSpan()));
        return values;
    }

    /// <summary>The values of an I32 tensor.</summary>
    public int[] Ints(SafeTensorsEntry e)
    {
        Require(e, "I32");
        var values = MemoryMarshal.Cast<byte, int>(_data.AsSpan((int)e.Begin, (int)(e.End - e.Begin))).ToArray();
        if (!BitConverter.IsLittleEndian) ReverseEach(values);
        return values;
    }

    private void Require(SafeTensorsEntry e, string dtype)
    {
        if (!ReferenceEquals(_byName.GetValueOrDefault(e.Name), e)) throw new ArgumentException($"{Path}: '{e.Name}' is not an entry of this file");
        if (e.DType != dtype) throw Bad(Path, $"tensor '{e.Name}' is {e.DType}, expected {dtype}");
    }

    private static void ReverseEach(Span<int> values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReverseEndianness(values[i]);
    }

    private static (Dictionary<string, string>, List<SafeTensorsEntry>) ParseHeader(byte[] header, long dataLength, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw Bad(path, $"header is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "header is not a JSON object");
            var metadata = new Dictionary<string, string>();
            var entries = new List<SafeTensorsEntry>();
            var seen = new HashSet<string>();
            foreach (var item in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(item.Name)) throw Bad(path, $"'{Clip(item.Name)}' appears twice in the header");
                if (item.Name == "__metadata__") ReadMetadata(item.Value, metadata, path);
                else entries.Add(ReadEntry(item.Name, item.Value, dataLength, path));
            }
            CheckTiling(entries, dataLength, path);
            return (metadata, entries);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Bad(path, "__metadata__ is not an object");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"__metadata__ '{Clip(m.Name)}' is not a string");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Bad(path, $"__metadata__ '{Clip(m.Name)}' appears twice");
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement value, long dataLength, string path)
    {
        string what = $"tensor '{Clip(name)}'";
        if (name.Length == 0) throw Bad(path, "a tensor has an empty name");
        if (value.ValueKind != JsonValueKind.Object) throw Bad(path, $"{what} is not an object");
        JsonElement dtype = default, shape = default, offsets = default;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype": dtype = field.Value; break;
                case "shape": shape = field.Value; break;
                case "data_offsets": offsets = field.Value; break;
                default: throw Bad(path, $"{what} has an unknown field '{Clip(field.Name)}'");
            }
        }
        if (dtype.ValueKind != JsonValueKind.String) throw Bad(path, $"{what} has no dtype string");
        string type = dtype.GetString()!;
        int elementSize = SafeTensorsEntry.ElementSize(type);
        if (elementSize == 0) throw Bad(path, $"{what} has dtype {Clip(type)}; Dendrite reads F32 (and I32 in checkpoints, I64 counters from PyTorch)");

        if (shape.ValueKind != JsonValueKind.Array) throw Bad(path, $"{what} has no shape array");
        int rank = shape.GetArrayLength();
        if (rank > MaxRank) throw Bad(path, $"{what} has rank {rank}, more than {MaxRank}");
        var dims = new int[rank];
        long volume = 1;
        for (int i = 0; i < rank; i++)
        {
            if (shape[i].ValueKind != JsonValueKind.Number || !shape[i].TryGetInt32(out dims[i]) || dims[i] < 0) throw Bad(path, $"{what} has a bad dimension {Clip(shape[i].GetRawText())}");
            volume *= dims[i];
            if (volume > dataLength) throw Bad(path, $"{what} shape claims more values than the {dataLength}-byte data area holds");
        }

        // TryGetInt64 throws on a string or null: the kind is checked first (a fuzzing finding, fuzz/regressions/safetensors).
        if (offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
            throw Bad(path, $"{what} needs data_offsets [begin, end]");
        if (begin < 0 || end < begin || end > dataLength)
            throw Bad(path, $"{what} data_offsets [{begin}, {end}] lie outside the {dataLength}-byte data area{(end > dataLength && begin <= end ? " (truncated file?)" : "")}");
        if (end - begin != volume * elementSize)
            throw Bad(path, $"{what} shape {Tensor.Format(dims)} needs {volume * elementSize} bytes, data_offsets give {end - begin}");
        return new SafeTensorsEntry(name, type, dims, begin, end);
    }

    /// <summary>The byte ranges must cover the data area exactly once, in order.</summary>
    private static void CheckTiling(List<SafeTensorsEntry> entries, long dataLength, string path)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long at = 0;
        foreach (var e in entries)
        {
            if (e.Begin < at) throw Bad(path, $"tensor '{Clip(e.Name)}' bytes [{e.Begin}, {e.End}) overlap the previous tensor");
            if (e.Begin > at) throw Bad(path, $"bytes [{at}, {e.Begin}) of the data area belong to no tensor");
            at = e.End;
        }
        if (at != dataLength) throw Bad(path, $"the tensors cover {at} bytes of the {dataLength}-byte data area");
    }

    /// <summary>A name from the file, shortened and without control characters, so an error stays one readable line.</summary>
    internal static string Clip(string s)
    {
        var clipped = s.Length <= 60 ? s : s[..60] + "...";
        return string.Create(clipped.Length, clipped, (span, text) =>
        {
            for (int i = 0; i < text.Length; i++) span[i] = char.IsControl(text[i]) ? '?' : text[i];
        });
    }

    private static InvalidDataException Bad(string path, string message) => new($"{path}: {message}");
}
