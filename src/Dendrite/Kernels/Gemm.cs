using System.Runtime.CompilerServices;

namespace Dendrite.Kernels;

/// <summary>
/// The one matrix product of the engine: C = alpha * op(A) * op(B) + beta * C, row-major,
/// op(X) = X or X transposed. op(A) is [m, k], op(B) is [k, n], C is [m, n].
/// Every dense layer and every convolution calls this routine. beta == 0 overwrites C without reading it.
/// Packed GotoBLAS-style blocking (GemmDriver) around a register-tiled microkernel (AVX-512, AVX2 or
/// Vector&lt;T&gt;), spread over the engine's persistent threads. Results are bit-identical for any thread
/// count: threads split C by rows or columns, never the k sum. Small shapes: a single output row or column
/// is a row of dot products (GemmDot), a C only a few columns wide runs as C^T, and row-major B is read in
/// place when op(A) has few rows. Slow but obvious twin: GemmReference.
/// </summary>
internal static class Gemm
{
    /// <summary>C = alpha * op(A) * op(B) + beta * C on <paramref name="engine"/>'s threads, with the fastest kernels the CPU has.</summary>
    public static void Multiply(Engine engine, bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Multiply(engine, GemmPaths.Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>Same product on a chosen kernel path (tests and benchmarks). Thresholds come from the engine's <see cref="KernelSettings"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Multiply(Engine engine, GemmPath path, bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (!GemmPaths.IsSupported(path)) throw new PlatformNotSupportedException($"gemm: the {path} kernels need a CPU that supports them");
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        if (GemmDot.Applies(transA, transB, m, n))
        {
            GemmDot.Multiply(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        var task = GemmTask.Current;
        var settings = engine.Settings;
        int threads = engine.Threads;
        fixed (float* pa = a, pb = b, pc = c)
        {
            (int mr, int nr) = TileOf(path);
            task.Problem = NarrowEnoughToTranspose(m, n, mr, nr)
                ? new GemmProblem
                {
                    TransA = !transB, TransB = !transA, M = n, N = m, K = k, Alpha = alpha, Beta = beta,
                    A = pb, B = pa, C = pc, Lda = ldb, Ldb = lda, Ldc = ldc, TransposedC = true,
                    DirectB = transA && n <= settings.GemmDirectBMaxRows,
                }
                : new GemmProblem
                {
                    TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
                    A = pa, B = pb, C = pc, Lda = lda, Ldb = ldb, Ldc = ldc,
                    DirectB = !transB && m <= settings.GemmDirectBMaxRows,
                };
            task.Path = path;
            bool parallel = threads > 1 && (long)m * n * k >= settings.GemmParallelThreshold;
            (int kc, int nc) = BlocksOf(path);
            task.Plan(parallel ? threads * settings.GemmChunksPerThread : 1, kc, nc);
            if (!parallel || !engine.Pool.TryRun(task, task.Chunks, threads))
                for (int chunk = 0; chunk < task.Chunks; chunk++) task.Execute(chunk);
        }
    }

    /// <summary>Microkernel tile [MR, NR] of a path.</summary>
    internal static (int Mr, int Nr) TileOf(GemmPath path) => path switch
    {
        GemmPath.Avx512 => (GemmKernelAvx512.MR, GemmKernelAvx512.NR),
        GemmPath.Avx2 => (GemmKernelAvx2.MR, GemmKernelAvx2.NR),
        _ => (GemmKernelPortable.MR, GemmKernelPortable.NR),
    };

    // Run C^T = op(B)^T op(A)^T when the padded tiles of C^T do at most two thirds of the work of C's: a C a few
    // columns wide (e.g. [64, 10] logits) would otherwise fill NR-wide tiles mostly with padding. Two thirds, not
    // the half it was: Winograd's weight-gradient products, [64, 32] with k = 392 (C^T: 0.55 of the tiles), went
    // from 84.6 to 120 GFLOP/s on one thread (measured, bench `shape 64 32 392 0 1 1`).
    private static bool NarrowEnoughToTranspose(int m, int n, int mr, int nr)
    {
        static long Padded(int size, int tile) => (size + tile - 1) / tile * (long)tile;
        return 3 * Padded(n, mr) * Padded(m, nr) <= 2 * Padded(m, mr) * Padded(n, nr);
    }

    /// <summary>Block depth KC and width NC of a path.</summary>
    internal static (int Kc, int Nc) BlocksOf(GemmPath path) => path switch
    {
        GemmPath.Avx512 => (GemmKernelAvx512.KC, GemmKernelAvx512.NC),
        GemmPath.Avx2 => (GemmKernelAvx2.KC, GemmKernelAvx2.NC),
        _ => (GemmKernelPortable.KC, GemmKernelPortable.NC),
    };

    internal static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
