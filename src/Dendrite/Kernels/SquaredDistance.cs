using System.Numerics.Tensors;

namespace Dendrite.Kernels;

/// <summary>
/// Squared Euclidean distances between the rows of X [n, d] and of C [k, d]:
/// D[i, j] = ||x_i||^2 - 2 x_i.c_j + ||c_j||^2, the cross term by one GEMM.
/// </summary>
internal static class SquaredDistance
{
    /// <summary>
    /// Writes D [n, k]; <paramref name="xNorms"/> [n] and <paramref name="cNorms"/> [k] are scratch that
    /// returns the squared row norms. Rounding in the expansion can make a distance of zero come out slightly
    /// negative, so results are clamped at 0. The GEMM runs on <paramref name="engine"/>'s threads.
    /// </summary>
    public static void Compute(Engine engine, ReadOnlySpan<float> x, int n, ReadOnlySpan<float> c, int k, int d,
        Span<float> distances, Span<float> xNorms, Span<float> cNorms)
    {
        RowNorms(x, n, d, xNorms);
        RowNorms(c, k, d, cNorms);
        Gemm.Multiply(engine, false, true, n, k, d, -2f, x, d, c, d, 0f, distances, k);
        for (int i = 0; i < n; i++)
        {
            var row = distances.Slice(i * k, k);
            TensorPrimitives.Add(row, cNorms[..k], row);
            TensorPrimitives.Add(row, xNorms[i], row);
            TensorPrimitives.Max(row, 0f, row);
        }
    }

    /// <summary>norms[i] = ||row i||^2 of a [rows, d] matrix.</summary>
    public static void RowNorms(ReadOnlySpan<float> m, int rows, int d, Span<float> norms)
    {
        for (int i = 0; i < rows; i++)
        {
            var r = m.Slice(i * d, d);
            norms[i] = TensorPrimitives.Dot(r, r);
        }
    }

    /// <summary>The direct sum of squared differences, in double: the tests' reference.</summary>
    public static void Reference(ReadOnlySpan<float> x, int n, ReadOnlySpan<float> c, int k, int d, Span<float> distances)
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
            {
                double s = 0;
                for (int p = 0; p < d; p++)
                {
                    double diff = (double)x[i * d + p] - c[j * d + p];
                    s += diff * diff;
                }
                distances[i * k + j] = (float)s;
            }
    }
}
