using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests;

/// <summary>
/// The fast GEMM against GemmReference (double precision) on odd shapes, all four transpose pairs, alpha and
/// beta (beta = 0 over a NaN-filled C), padded leading dimensions, every kernel path this CPU runs, 1 and 2
/// threads; plus bit-for-bit determinism across runs and thread counts.
/// </summary>
public class GemmTests
{
    // Odd sizes around the tiles (MR 4/6, NR 16/64) and blocks (KC 256, NC 512, MC 1536).
    public static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (7, 17, 63), (65, 7, 257), (257, 65, 17), (63, 257, 65), (17, 1, 7), (1, 65, 1),
        (3, 1000, 5), (1000, 3, 5), (5, 3, 1000), (70, 600, 300), (1600, 70, 20), (64, 129, 513),
    ];

    public static TheoryData<int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int>();
        foreach (var path in GemmPaths.Supported())
            for (int threads = 1; threads <= 2; threads++)
                for (int s = 0; s < Shapes.Length; s++) data.Add((int)path, threads, s);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(int path, int threads, int shape)
    {
        var (m, n, k) = Shapes[shape];
        var rng = new Random(shape * 31 + threads);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                // Leading dimensions equal to the widths, then 3 and 1 past them.
                foreach (var (alpha, beta, pad) in new[] { (1f, 0f, 0), (-0.75f, 1f, 3), (1.5f, -0.5f, 1) })
                    Check(rng, (GemmPath)path, threads, transA, transB, m, n, k, alpha, beta, pad);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ResultDoesNotDependOnThreadCount(int threads)
    {
        foreach (var path in GemmPaths.Supported())
            foreach (var (m, n, k) in new[] { (300, 200, 700), (37, 1100, 90), (1000, 20, 300) })
                foreach (bool transA in new[] { false, true })
                    foreach (bool transB in new[] { false, true })
                    {
                        var rng = new Random(7);
                        float[] a = Fill(rng, m * k), b = Fill(rng, k * n), c0 = Fill(rng, m * n);
                        float[] serial = (float[])c0.Clone(), again = (float[])c0.Clone(), parallel = (float[])c0.Clone();
                        int lda = transA ? m : k, ldb = transB ? k : n;
                        Gemm.Multiply(TestEngines.AlwaysParallel(1), path, transA, transB, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, serial, n);
                        Gemm.Multiply(TestEngines.AlwaysParallel(1), path, transA, transB, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, again, n);
                        Gemm.Multiply(TestEngines.AlwaysParallel(threads), path, transA, transB, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, parallel, n);
                        Assert.Equal(Bits(serial), Bits(again));
                        Assert.Equal(Bits(serial), Bits(parallel));
                    }
    }

    [Fact]
    public void PublicEntryPointUsesTheEnginesThreadsAndMatchesReference()
    {
        var rng = new Random(3);
        int m = 129, n = 200, k = 300;
        float[] a = Fill(rng, m * k), b = Fill(rng, k * n), c = new float[m * n], expected = new float[m * n];
        Gemm.Multiply(Engine.Default, false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
        GemmReference.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, expected, n);
        AssertClose(expected, c, a, b, m, n, k, false, false, k, n, 1f);
    }

    [Fact]
    public void ConcurrentCallersEachGetTheirOwnResult()
    {
        int m = 150, n = 170, k = 190;
        var rng = new Random(5);
        float[] a = Fill(rng, m * k), b = Fill(rng, k * n), expected = new float[m * n];
        Gemm.Multiply(TestEngines.Of(1), GemmPaths.Best, false, false, m, n, k, 1f, a, k, b, n, 0f, expected, n);
        var results = new float[8][];
        Parallel.For(0, results.Length, i =>
        {
            results[i] = new float[m * n];
            for (int r = 0; r < 20; r++)
                Gemm.Multiply(TestEngines.Of(2), GemmPaths.Best, false, false, m, n, k, 1f, a, k, b, n, 0f, results[i], n);
        });
        foreach (var r in results) Assert.Equal(expected, r);
    }

    [Fact]
    public void BetaZeroOverwritesNaNAndAlphaZeroOnlyScales()
    {
        float[] a = [float.NaN, 1], b = [2, 3], c = [float.NaN, float.NaN];
        Gemm.Multiply(Engine.Default, false, false, 1, 2, 1, 0f, a, 1, b, 2, 0f, c, 2);
        Assert.Equal(new[] { 0f, 0f }, c);
        c = [4, 8];
        Gemm.Multiply(Engine.Default, false, false, 1, 2, 0, 1f, a, 1, b, 2, 0.5f, c, 2);
        Assert.Equal(new[] { 2f, 4f }, c);
    }

    [Fact]
    public void RejectsShortBuffersNamingTheOperand()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(Engine.Default, false, false, 4, 4, 4, 1f, new float[16], 4, new float[15], 4, 0f, new float[16], 4));
        Assert.Contains("B [4, 4]", e.Message);
    }

    internal static void Check(Random rng, GemmPath path, int threads, bool transA, bool transB,
        int m, int n, int k, float alpha, float beta, int pad)
    {
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        float[] a = Fill(rng, (transA ? k : m) * lda), b = Fill(rng, (transB ? n : k) * ldb);
        float[] c = Fill(rng, m * ldc);
        if (beta == 0f) Array.Fill(c, float.NaN);
        float[] expected = (float[])c.Clone();
        Gemm.Multiply(TestEngines.AlwaysParallel(threads), path, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        GemmReference.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        AssertClose(expected, c, a, b, m, n, k, transA, transB, lda, ldb, alpha, ldc, beta, $"{path} x{threads} tA={transA} tB={transB} {m}x{n}x{k} alpha={alpha} beta={beta}");
    }

    // |c - reference| <= 1e-5 * (|alpha| sum_p |a_ip||b_pj| + |beta c_ij|): float rounding of a k-term sum.
    private static void AssertClose(float[] expected, float[] c, float[] a, float[] b, int m, int n, int k,
        bool transA, bool transB, int lda, int ldb, float alpha, int ldc = -1, float beta = 0f, string what = "")
    {
        if (ldc < 0) ldc = n;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double scale = 0;
                for (int p = 0; p < k; p++)
                    scale += Math.Abs((double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]));
                double e = expected[i * ldc + j], got = c[i * ldc + j];
                double tol = 1e-5 * (Math.Abs(alpha) * scale + Math.Abs(e)) + 1e-30;
                if (!(Math.Abs(got - e) <= tol)) Assert.Fail($"{what}: C[{i},{j}] = {got}, reference {e}, tolerance {tol}");
            }
            // Padding between rows is never written (the reference leaves it as it was, NaN included).
            for (int j = n; j < ldc && i < m - 1; j++)
                if (BitConverter.SingleToInt32Bits(c[i * ldc + j]) != BitConverter.SingleToInt32Bits(expected[i * ldc + j]))
                    Assert.Fail($"{what}: padding C[{i},{j}] was overwritten");
        }
    }

    private static int[] Bits(float[] x) => Array.ConvertAll(x, BitConverter.SingleToInt32Bits);

    internal static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
