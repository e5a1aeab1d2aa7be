using Dendrite.Gpu;

namespace Dendrite.Tests.Gpu;

/// <summary>
/// Every built-in layer's device twin against the CPU layer on odd shapes: the output, dL/dx and every parameter
/// gradient for one random batch and dL/dy, in training and in evaluation mode (batch norm's running statistics too).
/// Tolerance 1e-4 relative to 1 + |value| (sums in another order; batch norm's variance in float partial sums).
/// </summary>
public class GpuLayerTests
{
    public static TheoryData<string, string> Layers => new()
    {
        { "dense(7)", "5" },
        { "dense(6,bias=false)", "2x3x4" },
        { "conv(5,3,stride=2,pad=1)", "3x9x11" },
        { "conv(4,kernel=3x2,pad=same,dilation=2,bias=false)", "2x7x6" },
        { "conv(3,1)", "4x5x5" },
        { "maxpool(2)", "3x7x9" },
        { "maxpool(3,stride=2,pad=1)", "2x9x8" },
        { "avgpool(2)", "3x6x8" },
        { "avgpool(3,stride=2,pad=1)", "2x9x7" },
        { "gap", "3x5x4" },
        { "batchnorm", "3x5x4" },
        { "batchnorm(momentum=0.3,eps=0.001)", "6" },
        { "relu", "13" },
        { "leakyrelu(0.2)", "13" },
        { "elu(0.7)", "2x3x3" },
        { "sigmoid", "13" },
        { "tanh", "13" },
        { "gaussian", "13" },
        { "linear", "13" },
        { "step", "13" },
        { "step(ste)", "13" },
        { "softmax", "7" },
        { "flatten", "2x3x4" },
        { "dropout(0)", "9" },
        { "residual(conv(3,3,pad=1),batchnorm,relu,conv(3,3,pad=1))", "3x6x6" },
        { "residual(conv(4,3,stride=2,pad=1),batchnorm)", "2x7x7" },
        { "residual(dense(5),tanh)", "5" },
        { "residual(dense(4))", "6" },
        { "concat(conv(2,3,pad=1),sequential(conv(3,1),relu))", "2x5x5" },
        { "concat(dense(3),dense(4))", "5" },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Device_layer_matches_the_cpu_layer_forward_and_backward(string spec, string input)
    {
        foreach (bool training in new[] { true, false }) Compare(spec, CliShape(input), training);
    }

    private static int[] CliShape(string text) => [.. text.Split('x').Select(int.Parse)];

    private static void Compare(string spec, int[] input, bool training)
    {
        var rng = new Rng(5);
        var host = new Sequential(ModelSpec.Parse(spec)).Build(input, seed: 3, TestEngines.Of(1));
        host.InputGradient = true;
        // Biases and batch norm's γ, β away from their starting 0 and 1, so a kernel that ignores them fails.
        foreach (var p in host.Parameters.Where(p => p.Value.Rank == 1)) rng.Uniform(p.Value.Span, 0.5f, 1.5f);
        var device = DeviceLayer.For(host, Ilgpu.Kernels, "ilgpu-cpu");
        const int n = 3;
        var x = TestData.Random(rng, [n, .. input]);
        host.ZeroGrad();
        var y = host.Forward(x, training).Clone();
        var dy = TestData.Random(rng, y.Shape.ToArray());
        var dx = host.Backward(dy).Clone();

        var yd = device.Forward(Ilgpu.Up(x), training);
        string mode = training ? "training" : "evaluation";
        Assert.Equal(y.Shape.ToArray(), yd.Shape);
        Ilgpu.AssertClose(y.Span, Ilgpu.Down(yd.View), 1e-4f, $"{spec} {mode}: y");
        var dxd = device.Backward(Ilgpu.Up(dy));
        Ilgpu.AssertClose(dx.Span, Ilgpu.Down(dxd.View), 1e-4f, $"{spec} {mode}: dx");
        var parameters = device.Parameters.ToList();
        Assert.Equal(host.Parameters.Count, parameters.Count);
        foreach (var (name, p) in host.NamedParameters)
            Ilgpu.AssertClose(p.Grad.Span, Ilgpu.Down(parameters.Single(d => d.Host == p).Grad), 1e-4f, $"{spec} {mode}: {name} gradient");
        foreach (var (hostBuffer, deviceBuffer) in device.Buffers)
            Ilgpu.AssertClose(hostBuffer.Span, Ilgpu.Down(deviceBuffer.Ensure(hostBuffer.Length)), 1e-4f, $"{spec} {mode}: running statistics");
    }

    [Fact]
    public void Dropout_on_the_device_drops_about_p_and_scales_the_rest_and_backward_uses_the_same_mask()
    {
        var host = new Sequential(new Dropout(0.3)).Build([4000], seed: 1, TestEngines.Of(1));
        host.InputGradient = true;
        var device = DeviceLayer.For(host, Ilgpu.Kernels, "ilgpu-cpu");
        var x = new Tensor(1, 4000);
        x.Span.Fill(2f);
        var y = Ilgpu.Down(device.Forward(Ilgpu.Up(x), training: true).View);
        int dropped = y.Count(v => v == 0f);
        Assert.InRange(dropped, 1050, 1350); // 1,200 expected; binomial sd 29
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(2f / 0.7f, v, 1e-5f));
        var dx = Ilgpu.Down(device.Backward(Ilgpu.Up(x)).View);
        Assert.Equal(y, dx); // dy = x, so dx = x mask = y
        var again = Ilgpu.Down(device.Forward(Ilgpu.Up(x), training: true).View);
        Assert.NotEqual(y, again); // a new mask each step
        Assert.Equal(x.Span.ToArray(), Ilgpu.Down(device.Forward(Ilgpu.Up(x), training: false).View));
    }

    [Fact]
    public void A_layer_without_device_kernels_is_refused_naming_it()
    {
        var net = new Sequential(ModelSpec.Parse("dense(4),rbf(3)")).Build([5], seed: 1, Ilgpu.Engine);
        var e = Assert.Throws<NotSupportedException>(() => net.Device);
        Assert.Contains("layer 2 rbf(3)", e.Message);
        Assert.Contains("--device cpu", e.Message);
    }
}
