using System.Numerics;
using System.Runtime.CompilerServices;

namespace Dendrite.Kernels;

/// <summary>
/// Portable microkernel on Vector&lt;float&gt; (any CPU), 4 x (2 vectors) tile:
/// C[4, 2W] = alpha * sum_p a[p, 0..4) (x) b[p, 0..2W) + beta * C, W = Vector&lt;float&gt;.Count.
/// Multiply then add (not fused) so it is exact IEEE on hardware without FMA too.
/// </summary>
internal unsafe struct GemmKernelPortable : IGemmKernel
{
    public static int MR => 4;
    public static int NR => 2 * Vector<float>.Count;
    public static int KC => 256;
    public static int NC => 512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        int w = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector<float> b0 = Vector.Load(b), b1 = Vector.Load(b + w);
            var a0 = new Vector<float>(a[0]); c00 += a0 * b0; c01 += a0 * b1;
            a0 = new Vector<float>(a[1]); c10 += a0 * b0; c11 += a0 * b1;
            a0 = new Vector<float>(a[2]); c20 += a0 * b0; c21 += a0 * b1;
            a0 = new Vector<float>(a[3]); c30 += a0 * b0; c31 += a0 * b1;
            a += 4;
            b += bStride;
        }
        Write(c, w, alpha, beta, c00, c01);
        Write(c + ldc, w, alpha, beta, c10, c11);
        Write(c + 2 * ldc, w, alpha, beta, c20, c21);
        Write(c + 3 * ldc, w, alpha, beta, c30, c31);
    }

    private static void Write(float* c, int w, float alpha, float beta, Vector<float> x0, Vector<float> x1)
    {
        if (beta == 0f)
        {
            (alpha * x0).Store(c);
            (alpha * x1).Store(c + w);
        }
        else
        {
            (alpha * x0 + beta * Vector.Load(c)).Store(c);
            (alpha * x1 + beta * Vector.Load(c + w)).Store(c + w);
        }
    }
}
