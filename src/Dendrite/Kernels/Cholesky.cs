namespace Dendrite.Kernels;

/// <summary>
/// Cholesky factorisation A = L L^T of a symmetric positive definite matrix, and the two triangular solves
/// that then give A X = B. In double: the normal equations of a least-squares fit square the condition number.
/// </summary>
internal static class Cholesky
{
    /// <summary>
    /// Overwrites the lower triangle of A [n, n] (row-major; only the lower triangle is read) with L and clears the upper.
    /// Throws <see cref="ArithmeticException"/> when a pivot is not positive: A is not positive definite to double precision.
    /// </summary>
    public static void Factor(Span<double> a, int n)
    {
        if (a.Length < n * n) throw new ArgumentException($"cholesky: [{n}, {n}] needs {n * n} values, got {a.Length}");
        for (int j = 0; j < n; j++)
        {
            var rowJ = a.Slice(j * n, n);
            double pivot = rowJ[j];
            for (int p = 0; p < j; p++) pivot -= rowJ[p] * rowJ[p];
            if (!(pivot > 0)) throw new ArithmeticException($"cholesky: pivot {j} of {n} is {pivot:G3}; the matrix is not positive definite");
            double ljj = Math.Sqrt(pivot);
            rowJ[j] = ljj;
            for (int i = j + 1; i < n; i++)
            {
                var rowI = a.Slice(i * n, n);
                double s = rowI[j];
                for (int p = 0; p < j; p++) s -= rowI[p] * rowJ[p];
                rowI[j] = s / ljj;
            }
            rowJ[(j + 1)..].Clear();
        }
    }

    /// <summary>Solves L L^T X = B in place for B [n, m] (m right-hand sides), with L from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b, int m)
    {
        if (b.Length < n * m) throw new ArgumentException($"cholesky: right-hand side [{n}, {m}] needs {n * m} values, got {b.Length}");
        // Forward: L Z = B.
        for (int i = 0; i < n; i++)
            for (int c = 0; c < m; c++)
            {
                double s = b[i * m + c];
                for (int p = 0; p < i; p++) s -= l[i * n + p] * b[p * m + c];
                b[i * m + c] = s / l[i * n + i];
            }
        // Backward: L^T X = Z.
        for (int i = n - 1; i >= 0; i--)
            for (int c = 0; c < m; c++)
            {
                double s = b[i * m + c];
                for (int p = i + 1; p < n; p++) s -= l[p * n + i] * b[p * m + c];
                b[i * m + c] = s / l[i * n + i];
            }
    }
}
