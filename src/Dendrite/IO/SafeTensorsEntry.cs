namespace Dendrite;

/// <summary>
/// One tensor in a safetensors header: its dtype (F32 or I32 here), shape and byte range
/// [Begin, End) within the data area that follows the header.
/// </summary>
public sealed record SafeTensorsEntry(string Name, string DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of values: the byte range's length over 4, as F32 and I32 both take 4 bytes.</summary>
    public long Count => (End - Begin) / 4;
}
