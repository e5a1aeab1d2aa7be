namespace Dendrite.Tests.Layers;

/// <summary>Conv2d's two lowerings (im2col + GEMM, Winograd + GEMM) give the same forward and backward.</summary>
public class Conv2dWinogradTests
{
    [Theory]
    [InlineData(8, 5, 2, 9, 11)]
    [InlineData(3, 3, 1, 7, 6)]
    [InlineData(16, 5, 0, 12, 12)]
    public void Both_paths_agree(int channels, int kernel, int pad, int h, int w)
    {
        var rng = new Rng(12);
        var x = TestData.Random(rng, 3, channels, h, w);
        var dy = default(Tensor);
        float[]? reference = null, referenceDx = null, referenceDw = null, referenceDb = null;
        foreach (bool winograd in new[] { false, true })
        {
            var conv = new Conv2d(6, kernel, pad: pad) { UseWinograd = winograd };
            conv.Build([channels, h, w], new Rng(5));
            new Rng(6).Uniform(conv.Bias!.Value.Span, -0.5f, 0.5f);
            var y = conv.Forward(x, training: true);
            dy ??= TestData.Random(new Rng(7), y.Shape.ToArray());
            var dx = conv.Backward(dy);
            if (reference is null)
            {
                reference = y.Span.ToArray();
                referenceDx = dx.Span.ToArray();
                referenceDw = conv.Weight.Grad.Span.ToArray();
                referenceDb = conv.Bias.Grad.Span.ToArray();
                continue;
            }
            TestData.AssertClose(reference, y.Span, 1e-4f);
            TestData.AssertClose(referenceDx, dx.Span, 1e-4f);
            TestData.AssertClose(referenceDw, conv.Weight.Grad.Span, 1e-4f);
            TestData.AssertClose(referenceDb, conv.Bias.Grad.Span, 1e-5f);
        }
    }

    [Theory]
    [InlineData(5, 2, 3, 7, 8)]
    [InlineData(3, 1, 6, 4, 4)]  // one tile an image: the transforms run over gathered tiles
    [InlineData(3, 1, 5, 7, 7)]  // two tiles a row, the last ones cut
    public void Winograd_path_passes_the_gradient_check(int kernel, int pad, int channels, int h, int w)
    {
        var rng = new Rng(21);
        var conv = new Conv2d(4, kernel, pad: pad) { UseWinograd = true };
        conv.Build([channels, h, w], rng);
        TestData.AssertGradients(GradientCheck.CheckLayer(conv, TestData.Random(rng, 2, channels, h, w), rng));
    }

    [Fact]
    public void A_first_layer_skips_the_input_gradient_but_still_learns()
    {
        var net = new Sequential(new Conv2d(4, 5, pad: 2), new ReLU(), new Flatten(), new Dense(3)).Build([8, 6, 6], seed: 2);
        var x = TestData.Random(new Rng(3), 2, 8, 6, 6);
        var y = net.Forward(x, training: true);
        net.ZeroGrad();
        Assert.Same(Tensor.Empty, net.Backward(TestData.Random(new Rng(4), y.Shape.ToArray())));
        Assert.Contains(net.Layers[0].Parameters[0].Grad.Span.ToArray(), g => g != 0f);
    }
}
