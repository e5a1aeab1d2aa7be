using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests;

/// <summary>
/// Properties of the GEMM that other tests running at the same time would disturb, so this class runs alone:
/// no managed allocation per call once warm (caller and worker threads), and the scalar packing loops.
/// </summary>
[Collection(nameof(GemmSteadyStateTests))]
public class GemmSteadyStateTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SteadyStateCallsAllocateNothing(int threads)
    {
        var rng = new Random(9);
        var shapes = new[] { (64, 256, 784, false, true), (256, 784, 64, true, false), (64, 784, 256, false, false), (300, 300, 300, true, true) };
        var buffers = shapes.Select(s => (GemmTests.Fill(rng, s.Item1 * s.Item3), GemmTests.Fill(rng, s.Item3 * s.Item2), new float[s.Item1 * s.Item2])).ToArray();
        void All()
        {
            for (int i = 0; i < shapes.Length; i++)
            {
                var (m, n, k, ta, tb) = shapes[i];
                var (a, b, c) = buffers[i];
                Gemm.Multiply(TestEngines.AlwaysParallel(threads), GemmPaths.Best, ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, c, n);
            }
        }
        // Warm: JIT tiers, workspaces, worker threads. The runtime's recompilation of hot methods (tiered JIT) allocates
        // now and then while it swaps code in, later on a loaded host, so rounds of 20 calls run until one is clean, for at
        // most 10 s: an object allocated per call (at least 80 x 24 bytes a round) would keep every round above the slack.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 50; i++) All();
        long thread, total;
        do
        {
            long thread0 = GC.GetAllocatedBytesForCurrentThread(), total0 = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++) All();
            thread = GC.GetAllocatedBytesForCurrentThread() - thread0;
            total = GC.GetTotalAllocatedBytes(precise: true) - total0;
        } while ((thread != 0 || total >= 1024) && clock.ElapsedMilliseconds < 10_000);
        Assert.Equal(0, thread);
        // Process-wide (worker threads included); a little slack for the runtime's own background threads.
        Assert.True(total < 1024, $"{total} bytes allocated by 80 GEMM calls on {threads} threads");
    }

    [Fact]
    public void ScalarPackingMatchesReference()
    {
        bool saved = GemmPacking.Vectorized;
        GemmPacking.Vectorized = false;
        try
        {
            var rng = new Random(11);
            foreach (var path in GemmPaths.Supported())
                foreach (var (m, n, k) in new[] { (13, 70, 21), (65, 7, 257) })
                    foreach (bool ta in new[] { false, true })
                        foreach (bool tb in new[] { false, true })
                            GemmTests.Check(rng, path, 2, ta, tb, m, n, k, 1.25f, 0.5f, pad: 1);
        }
        finally { GemmPacking.Vectorized = saved; }
    }
}
