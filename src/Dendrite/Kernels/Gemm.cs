using System.Numerics.Tensors;

namespace Dendrite.Kernels;

/// <summary>
/// The one matrix product of the engine: C = alpha * op(A) * op(B) + beta * C, row-major,
/// op(X) = X or X transposed. op(A) is [m, k], op(B) is [k, n], C is [m, n].
/// Every dense layer and every convolution calls this routine.
/// </summary>
public static class Gemm
{
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        ScaleC(m, n, beta, c, ldc);
        if (k == 0 || alpha == 0f) return;

        // Simple row-wise version: each row of C gathers alpha * a_ip * row p of op(B).
        float[]? bT = null;
        if (transB)
        {
            bT = new float[k * n];
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++) bT[p * n + j] = b[j * ldb + p];
        }
        ReadOnlySpan<float> bRows = transB ? bT : b;
        int ldbRows = transB ? n : ldb;
        for (int i = 0; i < m; i++)
        {
            Span<float> cRow = c.Slice(i * ldc, n);
            for (int p = 0; p < k; p++)
            {
                float aip = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                if (aip == 0f) continue;
                TensorPrimitives.MultiplyAdd(bRows.Slice(p * ldbRows, n), aip, cRow, cRow);
            }
        }
    }

    internal static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
