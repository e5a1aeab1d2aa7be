using System.Runtime.InteropServices;

namespace Dendrite.Kernels;

/// <summary>
/// Per-thread packing buffers for the GEMM: 64-byte aligned native memory, allocated on a thread's first
/// call and grown (never shrunk) when a larger block is needed, so steady-state calls allocate nothing.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic] private static GemmWorkspace? _current;

    /// <summary>The calling thread's workspace (created once per thread).</summary>
    public static GemmWorkspace Current => _current ??= new GemmWorkspace();

    private float* _a, _b, _tile;
    private nint _aLength, _bLength, _tileLength;

    public float* PackedA(nint length) => Ensure(ref _a, ref _aLength, length);
    public float* PackedB(nint length) => Ensure(ref _b, ref _bLength, length);
    public float* Tile(nint length) => Ensure(ref _tile, ref _tileLength, length);

    private static float* Ensure(ref float* buffer, ref nint capacity, nint length)
    {
        if (length <= capacity) return buffer;
        if (buffer != null) NativeMemory.AlignedFree(buffer);
        buffer = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), 64);
        capacity = length;
        return buffer;
    }

    ~GemmWorkspace()
    {
        if (_a != null) NativeMemory.AlignedFree(_a);
        if (_b != null) NativeMemory.AlignedFree(_b);
        if (_tile != null) NativeMemory.AlignedFree(_tile);
    }
}
