using Dendrite.Tests.KernelTests;

namespace Dendrite.Tests.Inference;

/// <summary>Allocation counts that other tests running at the same time would disturb, so this class runs with the GEMM's alone.</summary>
[Collection(nameof(GemmSteadyStateTests))]
public class InferencePlanSteadyStateTests
{
    [Theory]
    [InlineData("resnet", 2)]
    [InlineData("fashion", 1)]
    [InlineData("lenet5", 7)]
    public void A_call_allocates_nothing_on_any_thread(string model, int batch)
    {
        var net = ModelSpec.Build(model, [1, 28, 28], 10, seed: 4, TestEngines.AlwaysParallel(2));
        var x = TestData.Random(new Rng(12), 0f, 1f, batch, 1, 28, 28);
        var plan = InferencePlan.Build(net);
        // Warm: buffers, worker threads, and the runtime's recompilation of hot methods (tiered JIT), which allocates
        // now and then while it swaps code in. Rounds of 50 calls until one is clean, for at most 10 s: an object
        // allocated per call (at least 50 x 24 bytes a round) would keep every round above the slack below.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 40; i++) plan.Run(x);
        long thread, total;
        do
        {
            long thread0 = GC.GetAllocatedBytesForCurrentThread(), total0 = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 50; i++) plan.Run(x);
            thread = GC.GetAllocatedBytesForCurrentThread() - thread0;
            total = GC.GetTotalAllocatedBytes(precise: true) - total0;
        } while ((thread != 0 || total >= 1024) && clock.ElapsedMilliseconds < 10_000);
        Assert.Equal(0, thread);
        // Process-wide (worker threads included), with slack for the runtime's own background threads, as the GEMM's test.
        Assert.True(total < 1024, $"{total} bytes allocated by 50 calls of the {model} plan");
    }
}
