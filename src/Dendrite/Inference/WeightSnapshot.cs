using System.Runtime.InteropServices;

namespace Dendrite.Inference;

/// <summary>
/// Copies of the live weights a plan step last prepared from (folded batch norm, transformed filters), so that a call
/// whose weights have not changed reuses what it prepared instead of redoing it. Compared bit for bit on every call: a
/// weight changed by an optimizer, a load or a user's own write is seen at the next call, and a plan never goes stale.
/// </summary>
internal sealed class WeightSnapshot(int slots)
{
    private readonly float[][] _copies = [.. Enumerable.Range(0, slots).Select(_ => Array.Empty<float>())];

    /// <summary>
    /// An object that stands for the weights as last seen: the same object while they stay the same, a new one once
    /// any of them changes (kernels key their prepared filters by it).
    /// </summary>
    public object Key { get; private set; } = new();

    /// <summary>Compares slot <paramref name="slot"/> with <paramref name="live"/> and takes a copy when they differ; true when they did.</summary>
    public bool Update(int slot, ReadOnlySpan<float> live)
    {
        ref var copy = ref _copies[slot];
        if (copy.Length == live.Length && MemoryMarshal.AsBytes(live).SequenceEqual(MemoryMarshal.AsBytes(copy.AsSpan()))) return false;
        if (copy.Length != live.Length) copy = new float[live.Length];
        live.CopyTo(copy);
        Key = new object();
        return true;
    }
}
