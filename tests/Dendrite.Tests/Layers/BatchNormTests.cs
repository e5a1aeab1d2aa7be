namespace Dendrite.Tests.Layers;

public class BatchNormTests
{
    [Theory]
    [InlineData(new[] { 5, 4 })]        // dense features [N, F]
    [InlineData(new[] { 3, 2, 3, 3 })]  // conv channels [N, C, H, W]
    public void Training_mode_gradients_match_finite_differences(int[] shape)
    {
        var rng = new Rng(41);
        var bn = new BatchNorm();
        bn.Build(shape[1..], rng);
        rng.Uniform(bn.Gamma.Value.Span, 0.5f, 1.5f);
        rng.Uniform(bn.Beta.Value.Span, -0.5f, 0.5f);
        TestData.AssertGradients(GradientCheck.CheckLayer(bn, TestData.Random(rng, shape), rng));
    }

    [Fact]
    public void Evaluation_mode_backward_treats_the_statistics_as_constants()
    {
        var rng = new Rng(42);
        var bn = new BatchNorm();
        bn.Build([3, 2, 2], rng);
        rng.Uniform(bn.RunningMean.Span, -1f, 1f);
        rng.Uniform(bn.RunningVar.Span, 0.5f, 2f);
        var x = TestData.Random(rng, 2, 3, 2, 2);
        bn.Forward(x, training: false);
        var dy = new Tensor(2, 3, 2, 2);
        dy.Span.Fill(1f);
        var dx = bn.Backward(dy);
        // Fixed statistics: dx = dy * gamma / sqrt(var + eps).
        for (int i = 0; i < dx.Length; i++)
        {
            int c = i / 4 % 3;
            Assert.Equal(1f / MathF.Sqrt(bn.RunningVar.Span[c] + 1e-5f), dx.Span[i], 5);
        }
    }

    [Fact]
    public void Training_normalises_with_batch_statistics_and_updates_the_running_ones()
    {
        // One feature with values 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased 5/3.
        var bn = new BatchNorm();
        bn.Build([1], new Rng(1));
        var y = bn.Forward(new Tensor([1f, 2, 3, 4], 4, 1), training: true);
        float s = MathF.Sqrt(1.25f + 1e-5f);
        TestData.AssertClose([-1.5f / s, -0.5f / s, 0.5f / s, 1.5f / s], y.Span);
        Assert.Equal(0.25f, bn.RunningMean.Span[0], 6);              // 0.9 * 0 + 0.1 * 2.5
        Assert.Equal(0.9f + 0.1f * 5f / 3f, bn.RunningVar.Span[0], 6); // 0.9 * 1 + 0.1 * 5/3
        Assert.Equal(["running_mean", "running_var"], bn.Buffers.Select(b => b.Name));
    }

    [Fact]
    public void Evaluation_uses_the_running_statistics()
    {
        // Two channels of a conv map: y = gamma (x - mean) / sqrt(var + eps) + beta with the given statistics.
        var bn = new BatchNorm();
        bn.Build([2, 1, 2], new Rng(1));
        new float[] { 1f, -2f }.CopyTo(bn.RunningMean.Span);
        new float[] { 4f, 0.25f }.CopyTo(bn.RunningVar.Span);
        new float[] { 2f, 1f }.CopyTo(bn.Gamma.Value.Span);
        new float[] { 0.5f, -1f }.CopyTo(bn.Beta.Value.Span);
        var y = bn.Forward(new Tensor([3f, 1f, -2f, -1f], 1, 2, 1, 2), training: false);
        float s0 = MathF.Sqrt(4f + 1e-5f), s1 = MathF.Sqrt(0.25f + 1e-5f);
        TestData.AssertClose([2f * 2f / s0 + 0.5f, 2f * 0f / s0 + 0.5f, 0f / s1 - 1f, 1f / s1 - 1f], y.Span);
        Assert.Equal(1f, bn.RunningMean.Span[0]); // evaluation leaves the statistics alone
        Assert.All(bn.Parameters, p => Assert.False(p.Decays));
    }

    [Fact]
    public void Training_on_a_single_value_per_channel_is_an_error()
    {
        var bn = new BatchNorm { Position = 3 };
        bn.Build([4], new Rng(1));
        var e = Assert.Throws<ShapeException>(() => bn.Forward(new Tensor(1, 4), training: true));
        Assert.Equal("layer 3 batchnorm: training needs more than one value per channel, got input [1, 4]", e.Message);
    }

    [Fact]
    public void A_zero_gamma_makes_a_residual_block_start_as_its_shortcut()
    {
        // torchvision's zero_init_residual: the body's last batch norm starts at γ = 0, so y = f(x) + x = x at first,
        // and the spec keeps the choice through a save and a parse.
        var block = (Residual)ModelSpec.Parse("residual(conv(4,3,pad=1),batchnorm,relu,conv(4,3,pad=1),batchnorm(gamma=0))")[0];
        var net = new Sequential(block);
        net.Build([4, 5, 5], seed: 3);
        var last = block.Walk().OfType<BatchNorm>().Last();
        Assert.Equal(0f, last.InitialGamma);
        Assert.All(last.Gamma.Value.Span.ToArray(), g => Assert.Equal(0f, g));
        Assert.Equal("batchnorm(gamma=0)", last.Spec);
        var x = TestData.Random(new Rng(4), 2, 4, 5, 5);
        Assert.Equal(x.Span.ToArray(), net.Forward(x, training: true).Span.ToArray());
        // The first batch norm keeps γ = 1, and γ = 0 still learns: its gradient is Σ dy x̂, not 0.
        Assert.All(block.Walk().OfType<BatchNorm>().First().Gamma.Value.Span.ToArray(), g => Assert.Equal(1f, g));
        var dy = TestData.Random(new Rng(5), 2, 4, 5, 5);
        net.Backward(dy);
        Assert.Contains(last.Gamma.Grad.Span.ToArray(), g => g != 0f);
    }

    [Theory]
    [InlineData("batchnorm(gamma=nan)")]
    [InlineData("batchnorm(gamma=inf)")]
    public void A_gamma_that_is_not_a_finite_number_is_refused(string spec)
    {
        var e = Assert.Throws<SpecException>(() => ModelSpec.Parse(spec));
        Assert.Contains("gamma", e.Message);
    }
}
