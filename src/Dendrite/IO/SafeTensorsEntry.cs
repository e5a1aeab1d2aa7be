namespace Dendrite;

/// <summary>
/// One tensor in a safetensors header: its dtype (F32 or I32 here), shape and byte range
/// [Begin, End) within the data area that follows the header.
/// </summary>
public sealed record SafeTensorsEntry(string Name, string DType, int[] Shape, long Begin, long End)
{
    public long Count => (End - Begin) / 4;
}
