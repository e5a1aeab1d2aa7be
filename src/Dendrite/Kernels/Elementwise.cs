using System.Runtime.Intrinsics;
using System.Numerics;
using System.Numerics.Tensors;

namespace Dendrite.Kernels;

/// <summary>Vectorised elementwise, row and column operations the layers share.</summary>
internal static class Elementwise
{
    /// <summary>Adds v to each of the <paramref name="rows"/> rows of the row-major matrix m.</summary>
    public static void AddRowVector(Span<float> m, ReadOnlySpan<float> v, int rows)
    {
        int cols = v.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = m.Slice(r * cols, cols);
            TensorPrimitives.Add(row, v, row);
        }
    }

    /// <summary>sum[j] += sum over rows r of m[r, j].</summary>
    public static void SumRowsInto(ReadOnlySpan<float> m, int rows, Span<float> sum)
    {
        int cols = sum.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sum, m.Slice(r * cols, cols), sum);
    }

    /// <summary>Index of the largest value (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values) => TensorPrimitives.IndexOfMax(values);

    /// <summary>dst = x > 0 ? v : slope * v (ReLU and leaky ReLU, forward with v = x, backward with v = dy).</summary>
    public static void ScalePositive(ReadOnlySpan<float> x, ReadOnlySpan<float> v, float slope, Span<float> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(slope);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var xv = new Vector<float>(x[i..]);
                var vv = new Vector<float>(v[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(xv, Vector<float>.Zero), vv, vv * s).CopyTo(dst[i..]);
            }
        }
        for (; i < x.Length; i++) dst[i] = x[i] > 0f ? v[i] : slope * v[i];
    }

    /// <summary>dst = x >= 0 ? 1 : 0.</summary>
    public static void Heaviside(ReadOnlySpan<float> x, Span<float> dst)
    {
        int i = 0;
        for (; i <= x.Length - 8; i += 8)
        {
            var v = System.Runtime.Intrinsics.Vector256.Create(x.Slice(i, 8));
            System.Runtime.Intrinsics.Vector256.ConditionalSelect(System.Runtime.Intrinsics.Vector256.GreaterThanOrEqual(v, default),
                System.Runtime.Intrinsics.Vector256<float>.One, default).CopyTo(dst.Slice(i, 8));
        }
        for (; i < x.Length; i++) dst[i] = x[i] >= 0f ? 1f : 0f;
    }

    /// <summary>dst = |x| &lt;= limit ? v : 0.</summary>
    public static void PassWhereAbsAtMost(ReadOnlySpan<float> x, float limit, ReadOnlySpan<float> v, Span<float> dst)
    {
        for (int i = 0; i < x.Length; i++) dst[i] = MathF.Abs(x[i]) <= limit ? v[i] : 0f;
    }

    /// <summary>Numerically stable softmax of each row of a [rows, cols] matrix.</summary>
    public static void SoftmaxRows(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        int cols = x.Length / rows;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            float sum = TensorPrimitives.Sum(yr);
            TensorPrimitives.Multiply(yr, 1f / sum, yr);
        }
    }

    /// <summary>log(sum_j e^x_j) of one row, computed as max + log(sum e^(x - max)).</summary>
    public static float LogSumExp(ReadOnlySpan<float> x, Span<float> scratch)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        return max + MathF.Log(TensorPrimitives.Sum(scratch));
    }

    /// <summary>
    /// Batch norm's forward after centring: xhat = c * invStd (c may be xhat itself), y = xhat * gamma + beta, in one
    /// pass instead of three.
    /// </summary>
    public static void Normalize(ReadOnlySpan<float> centred, float invStd, float gamma, float beta, Span<float> xhat, Span<float> y)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s = Vector256.Create(invStd), g = Vector256.Create(gamma), b = Vector256.Create(beta);
            for (; i <= centred.Length - 8; i += 8)
            {
                var h = Vector256.Create(centred.Slice(i, 8)) * s;
                h.CopyTo(xhat.Slice(i, 8));
                Vector256.FusedMultiplyAdd(h, g, b).CopyTo(y.Slice(i, 8));
            }
        }
        for (; i < centred.Length; i++)
        {
            float h = centred[i] * invStd;
            xhat[i] = h;
            y[i] = MathF.FusedMultiplyAdd(h, gamma, beta);
        }
    }

    /// <summary>Batch norm's dL/dx in one pass: dx = dy * scale + (xhat * slope + shift).</summary>
    public static void NormalizeBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, float scale, float slope, float shift, Span<float> dx)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> a = Vector256.Create(scale), b = Vector256.Create(slope), c = Vector256.Create(shift);
            for (; i <= dy.Length - 8; i += 8)
            {
                var inner = Vector256.FusedMultiplyAdd(Vector256.Create(xhat.Slice(i, 8)), b, c);
                Vector256.FusedMultiplyAdd(Vector256.Create(dy.Slice(i, 8)), a, inner).CopyTo(dx.Slice(i, 8));
            }
        }
        for (; i < dy.Length; i++) dx[i] = MathF.FusedMultiplyAdd(dy[i], scale, MathF.FusedMultiplyAdd(xhat[i], slope, shift));
    }
}
