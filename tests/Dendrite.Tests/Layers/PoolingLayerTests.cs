namespace Dendrite.Tests.Layers;

public class PoolingLayerTests
{
    /// <summary>Distinct values 0.05 apart in random order, so a step of ±1e-2 never changes which one is the max.</summary>
    private static Tensor WithoutTies(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        var order = Enumerable.Range(0, t.Length).ToArray();
        rng.Shuffle(order);
        for (int i = 0; i < order.Length; i++) t.Span[i] = order[i] * 0.05f - 2f;
        return t;
    }

    [Theory]
    [InlineData(2, 0, 0)]
    [InlineData(3, 2, 1)] // overlapping windows with padding
    [InlineData(2, 1, 0)]
    public void Max_pool_gradients_match_finite_differences(int kernel, int stride, int pad)
    {
        var rng = new Rng(21);
        var pool = new MaxPool2d(kernel, stride, pad);
        pool.Build([3, 7, 6], rng);
        TestData.AssertGradients(GradientCheck.CheckLayer(pool, WithoutTies(rng, 2, 3, 7, 6), rng));
    }

    [Theory]
    [InlineData(2, 0, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 1, 1)]
    public void Average_pool_gradients_match_finite_differences(int kernel, int stride, int pad)
    {
        var rng = new Rng(22);
        var pool = new AvgPool2d(kernel, stride, pad);
        pool.Build([2, 7, 6], rng);
        TestData.AssertGradients(GradientCheck.CheckLayer(pool, TestData.Random(rng, 2, 2, 7, 6), rng));
    }

    [Fact]
    public void Global_average_pool_gradients_match_finite_differences()
    {
        var rng = new Rng(23);
        var gap = new GlobalAvgPool2d();
        gap.Build([4, 5, 3], rng);
        TestData.AssertGradients(GradientCheck.CheckLayer(gap, TestData.Random(rng, 3, 4, 5, 3), rng));
    }

    [Fact]
    public void Max_pool_takes_the_known_max_and_sends_the_gradient_back_there()
    {
        float[] values =
        [
            1, 9, 2, 0,
            3, 4, 8, 7,
            5, 0, 1, 1,
            6, 2, 0, 3,
        ];
        var pool = new MaxPool2d(2);
        pool.Build([1, 4, 4], new Rng(1));
        var y = pool.Forward(new Tensor(values, 1, 1, 4, 4), training: true);
        Assert.Equal([9f, 8, 6, 3], y.Span.ToArray());
        var dx = pool.Backward(new Tensor([10f, 20, 30, 40], 1, 1, 2, 2));
        float[] expected =
        [
            0, 10, 0, 0,
            0, 0, 20, 0,
            0, 0, 0, 0,
            30, 0, 0, 40,
        ];
        Assert.Equal(expected, dx.Span.ToArray());
    }

    [Fact]
    public void Average_pool_leaves_padding_out_of_the_mean()
    {
        // avgpool(3, stride 2, pad 1) over 1..9: each output sees a 2x2 corner of the map.
        var pool = new AvgPool2d(3, 2, 1);
        pool.Build([1, 3, 3], new Rng(1));
        var y = pool.Forward(new Tensor([1f, 2, 3, 4, 5, 6, 7, 8, 9], 1, 1, 3, 3), training: false);
        Assert.Equal([3f, 4, 6, 7], y.Span.ToArray());
        Assert.Equal("avgpool(3,stride=2,pad=1)", pool.Spec);
    }

    [Fact]
    public void Global_average_pool_gives_one_mean_per_channel()
    {
        var gap = new GlobalAvgPool2d();
        gap.Build([2, 2, 2], new Rng(1));
        var y = gap.Forward(new Tensor([1f, 2, 3, 4, 10, 20, 30, 40], 1, 2, 2, 2), training: false);
        Assert.Equal([2.5f, 25f], y.Span.ToArray());
        Assert.Equal([2], gap.OutputShape);
    }
}
