using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests;

public class PoolingTests
{
    [Theory]
    [InlineData(28, 28)]
    [InlineData(7, 9)] // odd: the last row and column are dropped
    [InlineData(2, 2)]
    [InlineData(14, 14)] // rows of 7 outputs: a vector of 4, then one overlapping it
    [InlineData(8, 9)] // rows of exactly 4
    [InlineData(6, 6)] // rows of 3: one vector, its last lane dropped; rows near the end of x through a padded copy
    [InlineData(7, 7)] // fashion's third pool: rows of 3 from odd rows of 7
    [InlineData(5, 3)] // rows of 1
    [InlineData(5, 27)] // 13 outputs a row, odd input width
    public void Fast_2x2_max_pool_matches_the_reference(int h, int w)
    {
        var rng = new Rng(9);
        var g = Window2d.Create(h, w, 2, 2, 2, 0, 0, 1);
        int planes = 5;
        var x = TestData.Random(rng, planes * h * w).Span.ToArray();
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Round(x[i] * 2) / 2; // five levels: ties everywhere, the first must win
        var y = new float[planes * g.OutPlane];
        var yRef = new float[y.Length];
        var at = new int[y.Length];
        var atRef = new int[y.Length];
        Pooling.MaxForward(x, planes, g, y, at);
        Pooling.MaxForwardReference(x, planes, g, yRef, atRef);
        Assert.Equal(yRef, y);
        Assert.Equal(atRef, at);
    }

    [Theory]
    [InlineData(28, 28)]
    [InlineData(7, 9)] // odd: the last row and column are dropped
    [InlineData(2, 2)]
    [InlineData(5, 27)]
    public void Fast_2x2_average_pool_gives_the_bits_of_the_reference(int h, int w)
    {
        var g = Window2d.Create(h, w, 2, 2, 2, 0, 0, 1);
        int planes = 3;
        var x = TestData.Random(new Rng(10), planes * h * w).Span.ToArray();
        var y = new float[planes * g.OutPlane];
        var yRef = new float[y.Length];
        y.AsSpan().Fill(float.NaN);
        Pooling.AverageForward(x, planes, g, y);
        Pooling.AverageForwardReference(x, planes, g, yRef);
        Assert.Equal(yRef, y);
        Assert.Equal((x[0] + x[1] + x[w] + x[w + 1]) / 4, y[0], 1e-6f);
    }

    [Fact]
    public void Vectorised_tanh_and_relu_match_the_exact_functions()
    {
        var x = new float[4003];
        new Rng(2).Uniform(x, -20f, 20f);
        x[0] = float.NaN; x[1] = float.PositiveInfinity; x[2] = float.NegativeInfinity; x[3] = 1e-5f; x[4] = -0.3f; x[5] = 0f;
        var y = new float[x.Length];
        VectorMath.Tanh(x, y);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal([1f, -1f, 1e-5f], y[1..4]);
        for (int i = 4; i < x.Length; i++)
            Assert.True(Math.Abs(y[i] - Math.Tanh(x[i])) <= 1e-6, $"tanh({x[i]}) = {y[i]}, exactly {Math.Tanh(x[i])}");
        Assert.Equal(VectorMath.TanhScalar(x[4]), y[4], 1e-7f);
        VectorMath.Relu(x, y);
        Assert.True(float.IsNaN(y[0]));
        for (int i = 1; i < x.Length; i++) Assert.Equal(Math.Max(0f, x[i]), y[i]);
    }

    [Fact]
    public void Max_pool_ignores_padding_even_when_every_input_is_negative()
    {
        var g = Window2d.Create(3, 3, 3, 3, 1, 1, 1, 1);
        float[] x = [-9, -8, -7, -6, -5, -4, -3, -2, -1];
        var y = new float[9];
        var at = new int[9];
        Pooling.MaxForward(x, 1, g, y, at);
        Assert.Equal([-5f, -4, -4, -2, -1, -1, -2, -1, -1], y);
        Assert.Equal(8, at[8]);
    }
}
