namespace Dendrite.Tests.Layers;

public class DenseTests
{
    [Fact]
    public void Gradients_match_finite_differences()
    {
        var rng = new Rng(7);
        var dense = new Dense(5);
        dense.Build([4], rng);
        rng.Uniform(dense.Bias!.Value.Span, -0.5f, 0.5f);
        TestData.AssertGradients(GradientCheck.CheckLayer(dense, TestData.Random(rng, 3, 4), rng));
    }

    [Fact]
    public void Forward_is_x_times_W_transposed_plus_b()
    {
        var dense = new Dense(2);
        dense.Build([3], new Rng(1));
        new float[] { 1, 2, 3, 4, 5, 6 }.CopyTo(dense.Weight.Value.Span);
        new float[] { 0.5f, -1 }.CopyTo(dense.Bias!.Value.Span);
        var y = dense.Forward(new Tensor([1, 0, -1, 2, 2, 2], 2, 3), training: false);
        TestData.AssertClose([1 - 3 + 0.5f, 4 - 6 - 1, 12 + 0.5f, 30 - 1], y.Span);
    }

    [Fact]
    public void Rejects_an_image_input_without_flatten()
    {
        var dense = new Dense(8) { Position = 4 };
        var e = Assert.Throws<ShapeException>(() => dense.Build([3, 5, 5], new Rng(1)));
        Assert.Equal("layer 4 dense(8): input [N, 3, 5, 5] needs flatten first", e.Message);
    }

    [Theory]
    [InlineData(Initializer.He, 0.087482)]    // sqrt(6 / 784)
    [InlineData(Initializer.Xavier, 0.082385)] // sqrt(6 / (784 + 100))
    public void Initialisation_stays_within_its_limit_and_uses_it(Initializer init, double limit)
    {
        var dense = new Dense(100, init);
        dense.Build([784], new Rng(3));
        var w = dense.Weight.Value.Span;
        float max = 0;
        foreach (float v in w) max = MathF.Max(max, MathF.Abs(v));
        Assert.InRange(max, limit * 0.99, limit * 1.0001);
        Assert.All(dense.Bias!.Value.Span.ToArray(), b => Assert.Equal(0f, b));
    }
}
