namespace Dendrite.Kernels;

/// <summary>Bounds checks shared by the fast GEMM and its reference.</summary>
internal static class GemmArguments
{
    public static void Check(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"gemm: negative size m={m} n={n} k={k}");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Need("A", aRows, aCols, aLength, lda);
        Need("B", bRows, bCols, bLength, ldb);
        Need("C", m, n, cLength, ldc);
    }

    private static void Need(string name, int rows, int cols, int length, int ld)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"gemm: leading dimension of {name} is {ld}, less than its {cols} columns");
        long needed = (long)(rows - 1) * ld + cols;
        if (needed > length) throw new ArgumentException($"gemm: {name} [{rows}, {cols}] with leading dimension {ld} needs {needed} values, has {length}");
    }
}
