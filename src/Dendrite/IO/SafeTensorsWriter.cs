using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dendrite;

/// <summary>
/// Writes the safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor
/// name to {"dtype", "shape", "data_offsets"} (plus a string-to-string "__metadata__"), padded with spaces to
/// a multiple of 8 bytes, then the tensors' raw little-endian bytes back to back in the order added.
/// </summary>
public sealed class SafeTensorsWriter
{
    private readonly List<(string Name, string DType, int[] Shape, byte[] Bytes)> _tensors = [];
    private readonly HashSet<string> _names = [];

    /// <summary>String-to-string metadata stored under "__metadata__".</summary>
    public Dictionary<string, string> Metadata { get; } = [];

    /// <summary>Adds an F32 tensor, copying <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, "__metadata__" or already added.</exception>
    /// <exception cref="ShapeException"><paramref name="shape"/> does not hold <c>values.Length</c> values.</exception>
    public void Add(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values) =>
        Add(name, "F32", shape, values.Length, MemoryMarshal.AsBytes(values), reverse: !BitConverter.IsLittleEndian);

    /// <summary>Adds an I32 tensor, copying <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, "__metadata__" or already added.</exception>
    /// <exception cref="ShapeException"><paramref name="shape"/> does not hold <c>values.Length</c> values.</exception>
    public void Add(string name, ReadOnlySpan<int> shape, ReadOnlySpan<int> values) =>
        Add(name, "I32", shape, values.Length, MemoryMarshal.AsBytes(values), reverse: !BitConverter.IsLittleEndian);

    private void Add(string name, string dtype, ReadOnlySpan<int> shape, int count, ReadOnlySpan<byte> bytes, bool reverse)
    {
        if (name.Length == 0 || name == "__metadata__") throw new ArgumentException($"'{name}' cannot name a tensor", nameof(name));
        if (!_names.Add(name)) throw new ArgumentException($"tensor '{name}' added twice", nameof(name));
        if (Tensor.Volume(shape) != count)
            throw new ShapeException($"tensor '{name}': shape {Tensor.Format(shape)} does not hold {count} values");
        var copy = bytes.ToArray();
        if (reverse)
            for (int i = 0; i < copy.Length; i += 4) copy.AsSpan(i, 4).Reverse();
        _tensors.Add((name, dtype, shape.ToArray(), copy));
    }

    /// <summary>Writes the header length, the header (with <see cref="Metadata"/> as it is now) and the tensors to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        var header = Header();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var t in _tensors) stream.Write(t.Bytes);
    }

    private byte[] Header()
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes names such as "T-shirt/top" and quotes plainly; the JSON stays valid.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in Metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in _tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType);
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset += t.Bytes.Length);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Padding with spaces keeps the data area 8-byte aligned, as the reference writer does.
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
