namespace Dendrite.Kernels;

/// <summary>
/// One call's operands as raw pointers (pinned by Gemm.Multiply for the duration of the call), so the
/// same description can be handed to every worker thread without copying or allocating.
/// </summary>
internal unsafe struct GemmProblem
{
    public bool TransA, TransB;
    public int M, N, K;
    public float Alpha, Beta;
    public float* A, B, C;
    public nint Lda, Ldb, Ldc;
    /// <summary>Stream full B panels straight from row-major B (no packing); chosen from the shape alone.</summary>
    public bool DirectB;
    /// <summary>
    /// This is the transposed problem C^T = op(B)^T op(A)^T, run for a C too narrow for the NR-wide tiles:
    /// element (i, j) lives at C + j * Ldc + i.
    /// </summary>
    public bool TransposedC;
}
