using Dendrite.Kernels;

/// <summary>
/// Quick mode `grid m n k transA transB target`: the price of cutting a call into chunks, with no threads
/// involved: thread-CPU GFLOP/s when the chunks of a `target`-chunk grid run one after another on one
/// thread, against the single-chunk grid.
/// </summary>
internal static unsafe class GridCost
{
    public static string Measure(int m, int n, int k, bool ta, bool tb, int target)
    {
        var rng = new Random(1);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble();
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble();
        var task = new GemmTask { Path = GemmPaths.Best };
        (int kc, int nc) = Gemm.BlocksOf(task.Path);
        int calls = (int)Math.Max(3, 2e9 / (2.0 * m * n * k));
        double Run(int chunkTarget)
        {
            double best = 0;
            fixed (float* pa = a, pb = b, pc = c)
                for (int round = 0; round < 4; round++)
                {
                    double t0 = ThreadClock.Seconds();
                    for (int i = 0; i < calls; i++)
                    {
                        task.Problem = new GemmProblem
                        {
                            TransA = ta, TransB = tb, M = m, N = n, K = k, Alpha = 1, Beta = 0, A = pa, B = pb, C = pc,
                            Lda = ta ? m : k, Ldb = tb ? k : n, Ldc = n, DirectB = !tb && m <= KernelSettings.Measured.GemmDirectBMaxRows,
                        };
                        task.Plan(chunkTarget, kc, nc);
                        for (int chunk = 0; chunk < task.Chunks; chunk++) task.Execute(chunk);
                    }
                    if (round > 0) best = Math.Max(best, 2.0 * m * n * k * calls / (ThreadClock.Seconds() - t0) / 1e9);
                }
            return best;
        }
        double one = Run(1), many = Run(target);
        return $"grid {m}x{n}x{k}: 1 chunk {one:F1}, {task.Chunks} chunks {many:F1} GFLOP per CPU-second";
    }
}
