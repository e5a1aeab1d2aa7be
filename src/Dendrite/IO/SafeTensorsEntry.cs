namespace Dendrite;

/// <summary>
/// One tensor in a safetensors header: its dtype (F32, I32 or I64 here), shape and byte range
/// [Begin, End) within the data area that follows the header.
/// </summary>
public sealed record SafeTensorsEntry(string Name, string DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of values: the byte range's length over the dtype's size.</summary>
    public long Count => (End - Begin) / ElementSize(DType);

    /// <summary>Bytes per value of a dtype Dendrite reads (F32 and I32: 4, I64: 8); 0 for any other.</summary>
    public static int ElementSize(string dtype) => dtype switch { "F32" or "I32" => 4, "I64" => 8, _ => 0 };
}
