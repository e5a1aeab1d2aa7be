using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// AVX2 + FMA microkernel, 6 x 16 tile: C[6, 16] = alpha * sum_p a[p, 0..6) (x) b[p, 0..16) + beta * C.
/// 12 ymm accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers (the classic Haswell shape).
/// </summary>
internal unsafe struct GemmKernelAvx2 : IGemmKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 256;
    public static int NC => 512;

    // No calls inside: a call would spill every accumulator.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
            a0 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a0, b0, c10); c11 = Fma.MultiplyAdd(a0, b1, c11);
            a0 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a0, b0, c20); c21 = Fma.MultiplyAdd(a0, b1, c21);
            a0 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a0, b0, c30); c31 = Fma.MultiplyAdd(a0, b1, c31);
            a0 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a0, b0, c40); c41 = Fma.MultiplyAdd(a0, b1, c41);
            a0 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a0, b0, c50); c51 = Fma.MultiplyAdd(a0, b1, c51);
            a += 6;
            b += bStride;
        }
        var va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            (va * c00).Store(c + 0 * ldc); (va * c01).Store(c + 0 * ldc + 8);
            (va * c10).Store(c + 1 * ldc); (va * c11).Store(c + 1 * ldc + 8);
            (va * c20).Store(c + 2 * ldc); (va * c21).Store(c + 2 * ldc + 8);
            (va * c30).Store(c + 3 * ldc); (va * c31).Store(c + 3 * ldc + 8);
            (va * c40).Store(c + 4 * ldc); (va * c41).Store(c + 4 * ldc + 8);
            (va * c50).Store(c + 5 * ldc); (va * c51).Store(c + 5 * ldc + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Update(c + 0 * ldc, va, vb, c00, c01);
            Update(c + 1 * ldc, va, vb, c10, c11);
            Update(c + 2 * ldc, va, vb, c20, c21);
            Update(c + 3 * ldc, va, vb, c30, c31);
            Update(c + 4 * ldc, va, vb, c40, c41);
            Update(c + 5 * ldc, va, vb, c50, c51);
        }
    }

    // Multiply then add, never fused: matches the edge-tile merge (see GemmKernelAvx512.Update).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> alpha, Vector256<float> beta, Vector256<float> x0, Vector256<float> x1)
    {
        (alpha * x0 + beta * Vector256.Load(c)).Store(c);
        (alpha * x1 + beta * Vector256.Load(c + 8)).Store(c + 8);
    }
}
