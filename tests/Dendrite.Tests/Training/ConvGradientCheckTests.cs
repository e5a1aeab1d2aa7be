namespace Dendrite.Tests.Training;

public class ConvGradientCheckTests
{
    [Theory]
    [InlineData("cnn")]
    [InlineData("lenet5")]
    [InlineData("conv(3,3,pad=1),batchnorm,relu,maxpool(2),dropout(0.3),conv(4,3,stride=2,pad=same,dilation=2),avgpool(2),gap,dense(10),softmax")]
    public void Presets_and_every_conv_layer_pass_the_network_check(string model)
    {
        var rng = new Rng(1);
        var net = ModelSpec.Build(model, [1, 28, 28], 10, 1);
        var x = TestData.Random(rng, 0f, 1f, 2, 1, 28, 28);
        var results = GradientCheck.CheckNetwork(net, new SoftmaxCrossEntropy(), x, TestData.OneHot(rng, 2, 10), rng);
        TestData.AssertGradients(results, 5e-2);
        // Every layer's dL/dx is checked, and the kink filter leaves positions to check in every tensor (the smallest has 3).
        Assert.Equal(net.Layers.Count - 1, results.Count(r => r.Tensor == "dL/dx"));
        Assert.All(results, r => Assert.True(r.Checked >= 3, $"{r.Layer} {r.Tensor}: only {r.Checked} positions checked"));
        Assert.All(net.Layers.OfType<IStochastic>(), l => Assert.False(l.Frozen));
    }
}
