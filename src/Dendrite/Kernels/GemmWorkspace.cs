using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dendrite.Kernels;

/// <summary>
/// The packed copies of op(A) and op(B) for one call, shared by every thread working on it, plus one ready
/// flag per packed block. A block is packed by the first thread that needs it, just in time:
///   A: panel r (MR rows) over all k, block (r, pc) = MR x KC at r * MR * K + pc * MR
///   B: panel j (NR columns) over all k, block (j, pc) = KC x NR at j * NR * K + pc * NR
/// 64-byte aligned native memory owned by the calling thread, grown (never shrunk) when a larger problem
/// comes, so steady-state calls allocate nothing.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int Empty = 0, Packing = 1, Ready = 2;

    private float* _a, _b;
    private int* _flags;
    private nint _aLength, _bLength, _flagLength;
    private int _kBlocks, _rowPanels;

    public float* PackedA => _a;
    public float* PackedB => _b;

    /// <summary>Sizes the buffers for a problem and marks every block empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Prepare(int rowPanels, int colPanels, int mr, int nr, int k, int kc)
    {
        _kBlocks = (k + kc - 1) / kc;
        _rowPanels = rowPanels;
        _a = Ensure(_a, ref _aLength, (nint)rowPanels * mr * k);
        _b = Ensure(_b, ref _bLength, (nint)colPanels * nr * k);
        nint flags = (nint)(rowPanels + colPanels) * _kBlocks;
        _flags = (int*)Ensure((float*)_flags, ref _flagLength, flags);
        new Span<int>(_flags, (int)flags).Clear();
    }

    /// <summary>True if the caller must pack A block (panel, kBlock) now and then call Publish; false once it is ready.</summary>
    public bool ClaimA(int panel, int kBlock) => Claim(_flags + (nint)panel * _kBlocks + kBlock);

    public bool ClaimB(int panel, int kBlock) => Claim(_flags + (nint)(_rowPanels + panel) * _kBlocks + kBlock);

    public void PublishA(int panel, int kBlock) => Volatile.Write(ref _flags[(nint)panel * _kBlocks + kBlock], Ready);

    public void PublishB(int panel, int kBlock) => Volatile.Write(ref _flags[(nint)(_rowPanels + panel) * _kBlocks + kBlock], Ready);

    private static bool Claim(int* flag)
    {
        if (Volatile.Read(ref *flag) == Ready) return false;
        if (Interlocked.CompareExchange(ref *flag, Packing, Empty) == Empty) return true;
        // Another thread is packing this block (a few microseconds): wait for it.
        var spin = new SpinWait();
        while (Volatile.Read(ref *flag) != Ready) spin.SpinOnce(sleep1Threshold: -1);
        return false;
    }

    private static float* Ensure(float* buffer, ref nint capacity, nint length)
    {
        if (length <= capacity) return buffer;
        if (buffer != null) NativeMemory.AlignedFree(buffer);
        capacity = Math.Max(length, 16);
        return (float*)NativeMemory.AlignedAlloc((nuint)capacity * sizeof(float), 64);
    }

    ~GemmWorkspace()
    {
        if (_a != null) NativeMemory.AlignedFree(_a);
        if (_b != null) NativeMemory.AlignedFree(_b);
        if (_flags != null) NativeMemory.AlignedFree(_flags);
    }
}
