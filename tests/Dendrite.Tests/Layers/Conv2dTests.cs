using Dendrite.Kernels;

namespace Dendrite.Tests.Layers;

public class Conv2dTests
{
    [Theory]
    [InlineData(1, 0, 1, false)] // plain 3x2 kernel
    [InlineData(2, 1, 1, false)] // stride 2 with padding
    [InlineData(1, 2, 2, false)] // dilation 2 with padding
    [InlineData(2, 0, 1, true)]  // 'same' with stride 2 (asymmetric padding)
    public void Gradients_match_finite_differences(int stride, int pad, int dilation, bool same)
    {
        var rng = new Rng(11);
        var conv = new Conv2d(4, 3, 2, stride, pad, pad, dilation, bias: true, samePadding: same);
        conv.Build([3, 7, 6], rng);
        rng.Uniform(conv.Bias!.Value.Span, -0.5f, 0.5f);
        TestData.AssertGradients(GradientCheck.CheckLayer(conv, TestData.Random(rng, 2, 3, 7, 6), rng));
    }

    [Fact]
    public void Forward_and_backward_match_direct_convolution_on_random_shapes()
    {
        var rng = new Rng(2024);
        int tried = 0;
        while (tried < 40)
        {
            int c = 1 + rng.NextInt(4), f = 1 + rng.NextInt(5), h = 3 + rng.NextInt(9), w = 3 + rng.NextInt(9);
            int kh = 1 + rng.NextInt(4), kw = 1 + rng.NextInt(4), stride = 1 + rng.NextInt(3), pad = rng.NextInt(3), dilation = 1 + rng.NextInt(2);
            bool same = rng.NextInt(4) == 0, bias = rng.NextInt(2) == 0;
            var g = Window2d.Create(h, w, kh, kw, stride, pad, pad, dilation, same);
            if (g.OutH < 1 || g.OutW < 1) continue;
            tried++;
            int n = 1 + rng.NextInt(3);
            var conv = new Conv2d(f, kh, kw, stride, pad, pad, dilation, bias, same);
            conv.Build([c, h, w], rng);
            // Alternate between one GEMM per image and all images in one GEMM.
            conv.ColumnsPerGemm = tried % 2 == 0 ? 1 : int.MaxValue;
            if (bias) rng.Uniform(conv.Bias!.Value.Span, -1f, 1f);
            var x = TestData.Random(rng, n, c, h, w);
            string what = $"conv({f},{kh}x{kw},stride={stride},pad={(same ? "same" : pad)},dilation={dilation}) on [{n}, {c}, {h}, {w}]";

            var expected = new float[n * f * g.OutPlane];
            ConvolutionReference.Forward(x.Span, n, c, conv.Weight.Value.Span, bias ? conv.Bias!.Value.Span : [], f, g, expected);
            var y = conv.Forward(x, training: true);
            Assert.True(y.Shape.SequenceEqual([n, f, g.OutH, g.OutW]), what);
            TestData.AssertClose(expected, y.Span, 1e-4f);

            var dy = TestData.Random(rng, n, f, g.OutH, g.OutW);
            var dxExpected = new float[x.Length];
            var dwExpected = new float[conv.Weight.Length];
            ConvolutionReference.Backward(x.Span, n, c, conv.Weight.Value.Span, f, g, dy.Span, dxExpected, dwExpected);
            conv.Weight.Grad.Clear();
            var dx = conv.Backward(dy);
            TestData.AssertClose(dxExpected, dx.Span, 1e-4f);
            TestData.AssertClose(dwExpected, conv.Weight.Grad.Span, 1e-4f);
        }
    }

    [Fact]
    public void Known_3x3_cross_correlation_with_and_without_padding()
    {
        // x = 1..16 in a 4x4 map, w = 1..9: y[0,0] = 1*1 + 2*2 + 3*3 + 4*5 + 5*6 + 6*7 + 7*9 + 8*10 + 9*11 = 348;
        // a step right adds sum(w) = 45, a step down adds 4 * 45 = 180. The kernel is not flipped.
        var x = new Tensor([.. Enumerable.Range(1, 16).Select(v => (float)v)], 1, 1, 4, 4);
        var conv = new Conv2d(1, 3);
        conv.Build([1, 4, 4], new Rng(1));
        Enumerable.Range(1, 9).Select(v => (float)v).ToArray().CopyTo(conv.Weight.Value.Span);
        conv.Bias!.Value.Span[0] = 0.5f;
        TestData.AssertClose([348.5f, 393.5f, 528.5f, 573.5f], conv.Forward(x, training: false).Span);

        // pad=1: the corner output sees only w[1..2, 1..2] over x[0..1, 0..1]: 5*1 + 6*2 + 8*5 + 9*6 = 111.
        var padded = new Conv2d(1, 3, pad: 1);
        padded.Build([1, 4, 4], new Rng(1));
        Enumerable.Range(1, 9).Select(v => (float)v).ToArray().CopyTo(padded.Weight.Value.Span);
        var y = padded.Forward(x, training: false);
        Assert.True(y.Shape.SequenceEqual([1, 1, 4, 4]));
        Assert.Equal(111f, y.Span[0]);
        Assert.Equal(348f, y.Span[5]);
    }

    [Fact]
    public void Same_padding_keeps_the_size_and_stride_2_halves_it_rounding_up()
    {
        var same = new Conv2d(2, 4, 4, samePadding: true);
        same.Build([1, 9, 8], new Rng(1));
        Assert.Equal([2, 9, 8], same.OutputShape);
        Assert.Equal((1, 1, 3, 3), (same.Window.PadTop, same.Window.PadLeft, same.Window.PadH, same.Window.PadW));
        var strided = new Conv2d(2, 3, 3, stride: 2, samePadding: true);
        strided.Build([1, 9, 8], new Rng(1));
        Assert.Equal([2, 5, 4], strided.OutputShape);
        Assert.Equal("conv(2,3,stride=2,pad=same)", strided.Spec);
    }

    [Fact]
    public void He_initialisation_uses_fan_in_of_channels_times_kernel_area()
    {
        var conv = new Conv2d(64, 5);
        conv.Build([32, 14, 14], new Rng(3));
        float max = 0;
        foreach (float v in conv.Weight.Value.Span) max = MathF.Max(max, MathF.Abs(v));
        Assert.InRange(max, 0.086603 * 0.99, 0.086603 * 1.0001); // sqrt(6 / (32 * 5 * 5))
        Assert.Equal([64, 32, 5, 5], conv.Weight.Value.Shape.ToArray());
        Assert.Equal(51_264, conv.Parameters.Sum(p => p.Length));
    }
}
