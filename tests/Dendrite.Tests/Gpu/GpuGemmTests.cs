using Dendrite.Gpu;
using Dendrite.Kernels;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace Dendrite.Tests.Gpu;

/// <summary>
/// Both device GEMM kernels against the CPU engine's GEMM on odd shapes, every transpose, alpha and beta. The tiled
/// kernel needs 256 threads a group, so it runs on a CPU accelerator of that group size (slow: one OS thread each).
/// Tolerance 1e-5 relative to 1 + |c|: float sums in another order.
/// </summary>
public class GpuGemmTests
{
    private static readonly Lazy<DeviceKernels> Wide = new(() =>
    {
        var context = Context.Create(b => b.CPU(new CPUDevice(32, 8, 1)));
        return new DeviceKernels(context.CreateCPUAccelerator(0, CPUAcceleratorMode.Parallel)) { TiledGemm = true };
    });

    [Theory]
    [InlineData(false, 37, 29, 45)]
    [InlineData(false, 1, 70, 3)]
    [InlineData(false, 66, 5, 17)]
    [InlineData(true, 37, 29, 45)]
    [InlineData(true, 70, 65, 18)]
    public void Device_gemm_matches_the_cpu_engine_for_every_transpose(bool tiled, int m, int n, int k)
    {
        var kernels = tiled ? Wide.Value : Ilgpu.Kernels;
        var rng = new Rng(7);
        foreach (var (ta, tb, alpha, beta) in new[] { (false, false, 1f, 0f), (true, false, 0.5f, 1f), (false, true, 1f, 1f), (true, true, -2f, 0.25f) })
        {
            var a = TestData.Random(rng, m * k).Span.ToArray();
            var b = TestData.Random(rng, k * n).Span.ToArray();
            var c = TestData.Random(rng, m * n).Span.ToArray();
            var expected = (float[])c.Clone();
            Gemm.Multiply(TestEngines.Of(1), ta, tb, m, n, k, alpha, a, ta ? m : k, b, tb ? k : n, beta, expected, n);
            var acc = kernels.Accelerator;
            var (da, db, dc) = (new DeviceArray<float>(acc).Upload(a), new DeviceArray<float>(acc).Upload(b), new DeviceArray<float>(acc).Upload(c));
            kernels.Gemm(ta, tb, m, n, k, alpha, da, db, beta, dc);
            acc.Synchronize();
            var actual = new float[m * n];
            dc.CopyToCPU(actual.AsSpan());
            Ilgpu.AssertClose(expected, actual, 1e-5f, $"C ({(tiled ? "tiled" : "registers")}, transA {ta}, transB {tb})");
        }
    }

    [Fact]
    public void Beta_zero_ignores_what_c_held()
    {
        var kernels = Ilgpu.Kernels;
        var c = new DeviceArray<float>(kernels.Accelerator).Upload([float.NaN, float.NaN, float.NaN, float.NaN]);
        kernels.Gemm(false, false, 2, 2, 1, 1f, Ilgpu.Up([1f, 2f]), Ilgpu.Up([3f, 4f]), 0f, c);
        Assert.Equal([3f, 4f, 6f, 8f], Ilgpu.Down(c));
    }
}
