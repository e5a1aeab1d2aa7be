using Dendrite.Gpu;
using ILGPU;
using ILGPU.Runtime;

namespace Dendrite.Tests.Gpu;

/// <summary>The ILGPU CPU accelerator the device tests run on (shared: its kernels compile once), and transfers.</summary>
internal static class Ilgpu
{
    public static IlgpuBackend Backend => IlgpuBackend.Create("ilgpu-cpu");

    public static Engine Engine { get; } = new(Backend, 1);

    public static DeviceKernels Kernels => Backend.Kernels;

    public static DeviceTensor Up(Tensor x) => new(Up(x.Span), x.Shape.ToArray());

    public static ArrayView<float> Up(ReadOnlySpan<float> x)
    {
        var array = new DeviceArray<float>(Backend.Accelerator);
        lock (Kept) Kept.Add(array); // a view does not keep its buffer alive
        return array.Upload(x);
    }

    private static readonly List<DeviceArray<float>> Kept = [];

    public static float[] Down(ArrayView<float> view)
    {
        Backend.Accelerator.Synchronize();
        var values = new float[view.Length];
        view.CopyToCPU(values.AsSpan());
        return values;
    }

    /// <summary>Asserts |expected - actual| &lt;= tolerance (1 + |expected|) everywhere, naming the first index that is not.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: cpu {expected[i]}, device {actual[i]} (tolerance {tolerance})");
    }
}
