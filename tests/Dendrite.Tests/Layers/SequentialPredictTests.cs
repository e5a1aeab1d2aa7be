namespace Dendrite.Tests.Layers;

/// <summary>Predict fuses each convolution with the ReLU after it; the values must be exactly Forward's.</summary>
public class SequentialPredictTests
{
    [Theory]
    [InlineData("cnn", 1, 28, 28)] // direct (1 channel) then Winograd (32 channels), both fused
    [InlineData("conv(8,3,stride=2,pad=1),relu,conv(16,5,pad=2),relu,maxpool(2),flatten,dense(10)", 3, 20, 20)] // im2col, then Winograd
    [InlineData("conv(6,3),relu,conv(4,1),relu,flatten,dense(10)", 2, 9, 9)] // rows narrower than 16: im2col for both
    [InlineData("lenet5", 1, 28, 28)] // tanh: nothing to fuse
    [InlineData("fashion", 1, 28, 28)] // conv, batchnorm, relu: nothing to fuse
    public void Predict_gives_exactly_the_values_of_Forward(string spec, int c, int h, int w)
    {
        var net = ModelSpec.Build(spec, [c, h, w], 10, seed: 3);
        var x = TestData.Random(new Rng(5), 6, c, h, w);
        var expected = net.Forward(x, training: false).Span.ToArray();
        var predicted = net.Predict(x).Span.ToArray();
        Assert.Equal(expected, predicted);
        // And the other way round, so neither depends on state the other left behind.
        Assert.Equal(predicted, net.Forward(x, training: false).Span.ToArray());
    }

    [Fact]
    public void Predict_stops_after_count_layers_and_fuses_only_inside_them()
    {
        var net = ModelSpec.Build("cnn", [1, 28, 28], 10, seed: 3);
        var x = TestData.Random(new Rng(6), 3, 1, 28, 28);
        // One layer: the convolution alone, not rectified although a ReLU follows it.
        var conv = net.Predict(x, count: 1).Span.ToArray();
        Assert.Contains(conv, v => v < 0);
        Assert.Equal(net.Forward(x, training: false, count: 1).Span.ToArray(), conv);
        Assert.Equal(net.Forward(x, training: false, count: 2).Span.ToArray(), net.Predict(x, count: 2).Span.ToArray());
    }

    [Fact]
    public void A_NaN_input_stays_NaN_through_a_fused_convolution()
    {
        var net = ModelSpec.Build("conv(4,5,pad=2),relu,conv(8,5,pad=2),relu,flatten,dense(3)", [1, 16, 16], 3, seed: 2);
        var x = TestData.Random(new Rng(7), 2, 1, 16, 16);
        x.Span[40] = float.NaN;
        var y = net.Predict(x);
        Assert.True(float.IsNaN(y.Span[0]), "the first sample's scores must be NaN");
        Assert.False(float.IsNaN(y.Span[3]), "the second sample's must not");
    }

    [Fact]
    public void Backward_after_Predict_is_refused_until_the_next_Forward()
    {
        var net = ModelSpec.Build("cnn", [1, 28, 28], 10, seed: 3);
        var x = TestData.Random(new Rng(8), 2, 1, 28, 28);
        var y = net.Predict(x);
        var error = Assert.Throws<InvalidOperationException>(() => net.Backward(y));
        Assert.Contains("Predict", error.Message);
        net.Forward(x, training: true);
        net.Backward(y);
    }
}
