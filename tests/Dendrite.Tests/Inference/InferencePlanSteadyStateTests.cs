using Dendrite.Tests.KernelTests;

namespace Dendrite.Tests.Inference;

/// <summary>Allocation counts that other tests running at the same time would disturb, so this class runs with the GEMM's alone.</summary>
[Collection(nameof(GemmSteadyStateTests))]
public class InferencePlanSteadyStateTests
{
    [Theory]
    [InlineData("resnet", 4)]
    [InlineData("fashion", 1)]
    [InlineData("lenet5", 7)]
    public void A_call_allocates_nothing_on_any_thread(string model, int batch)
    {
        var net = ModelSpec.Build(model, [1, 28, 28], 10, seed: 4, TestEngines.AlwaysParallel(2));
        var x = TestData.Random(new Rng(12), 0f, 1f, batch, 1, 28, 28);
        var plan = InferencePlan.Build(net);
        // Warm: buffers, worker threads, and the runtime's recompilation of hot methods (tiered JIT), which allocates
        // now and then during the first hundreds of milliseconds; at most 5 s, as `dendrite bench` warms up.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 40 || clock.ElapsedMilliseconds < 500; i++) plan.Run(x);
        for (int round = 0; round < 50 && clock.ElapsedMilliseconds < 5000; round++)
        {
            long start = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++) plan.Run(x);
            if (GC.GetTotalAllocatedBytes(precise: true) == start) break;
        }
        long thread0 = GC.GetAllocatedBytesForCurrentThread(), total0 = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 20; i++) plan.Run(x);
        long thread1 = GC.GetAllocatedBytesForCurrentThread(), total1 = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Equal(0, thread1 - thread0);
        // Process-wide (worker threads included): 20 calls, each of which would allocate at least an object of 24
        // bytes per allocating step; a little slack for the runtime's own background threads, as the GEMM's test.
        Assert.True(total1 - total0 < 256, $"{total1 - total0} bytes allocated by 20 calls of the {model} plan");
    }
}
