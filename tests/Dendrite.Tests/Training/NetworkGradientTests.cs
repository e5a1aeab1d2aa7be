namespace Dendrite.Tests.Training;

/// <summary>Backprop through whole networks, every activation in a chain, checked by <see cref="GradientCheck.CheckNetwork"/>.</summary>
public class NetworkGradientTests
{
    [Theory]
    [InlineData("dense(12),tanh,dense(10),elu,dense(8),sigmoid,dense(6),gaussian,dense(5),softmax", "cross-entropy")]
    [InlineData("dense(12),leakyrelu(0.1),dense(8),linear,dense(3)", "mse")]
    [InlineData("dense(8),sigmoid,dense(3),sigmoid", "bce")]
    public void Every_parameter_gradient_matches_finite_differences(string spec, string lossName)
    {
        Loss loss = lossName switch { "mse" => new MeanSquaredError(), "bce" => new BinaryCrossEntropy(), _ => new SoftmaxCrossEntropy() };
        var rng = new Rng(51);
        int outputs = spec.Contains("dense(5)") ? 5 : 3;
        var net = new Sequential(ModelSpec.Parse(spec)).Build([7], seed: 3);
        foreach (var d in net.Layers.OfType<Dense>()) rng.Uniform(d.Bias!.Value.Span, -0.3f, 0.3f);
        var x = TestData.Random(rng, 4, 7);
        var target = lossName == "mse" ? TestData.Random(rng, 4, outputs) : TestData.OneHot(rng, 4, outputs);
        var results = GradientCheck.CheckNetwork(net, loss, x, target, rng);
        int checkedLayers = loss is SoftmaxCrossEntropy && net.Layers[^1] is Softmax ? net.Layers.Count - 1 : net.Layers.Count;
        // the loss, every weight and bias, and every layer's dL/dx
        Assert.Equal(1 + 2 * net.Layers.OfType<Dense>().Count() + checkedLayers, results.Count);
        Assert.Equal(checkedLayers, results.Count(r => r.Tensor == "dL/dx"));
        TestData.AssertGradients(results);
    }
}
