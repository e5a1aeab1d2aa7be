namespace Dendrite.Kernels;

/// <summary>
/// A register-blocked GEMM microkernel: C[MR, NR] = alpha * sum_p a[p, 0..MR) (x) b[p, 0..NR) + beta * C.
/// a is a packed panel (MR floats per k step); b advances bStride floats per k step (NR when packed,
/// ldb when read straight from a row-major B). beta == 0 never reads C. Implemented by structs so the
/// generic driver is specialised per kernel and MR, NR and the block sizes fold to constants.
/// </summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of the C tile (broadcast from A).</summary>
    static abstract int MR { get; }
    /// <summary>Columns of the C tile (vector loads from B).</summary>
    static abstract int NR { get; }
    /// <summary>Depth of one packed block: the A micro-panel MR x KC stays in L1.</summary>
    static abstract int KC { get; }
    /// <summary>Columns of one packed B block: KC x NC stays in L2.</summary>
    static abstract int NC { get; }

    static abstract void Run(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta);
}
