using System.Numerics.Tensors;
using Dendrite.Visualization;

namespace Dendrite.Tests.Visualization;

public class BackpropTraceTests
{
    private static readonly Dataset Data = Synthetic.Dataset(8, 11);

    private static string Deep(string activation) =>
        string.Join(",", Enumerable.Repeat($"dense(64),{activation}", 8)) + ",dense(10),softmax";

    [Fact]
    public void Gradients_are_those_of_an_ordinary_training_step()
    {
        var net = ModelSpec.Build("mlp", [1, 28, 28], 10, 4);
        var loss = new SoftmaxCrossEntropy();
        var trace = BackpropTrace.Run(net, loss, Data.Sample(2), Data.Labels[2]);

        // Independently: forward to the logits, fused loss gradient, backward, norms.
        var x = new Tensor(Data.Sample(2).ToArray(), 1, 1, 28, 28);
        var logits = net.Forward(x, training: false, net.Layers.Count - 1);
        var target = new Tensor(1, 10);
        target.Span[Data.Labels[2]] = 1;
        var grad = new Tensor(1, 10);
        double expectedLoss = loss.Compute(logits, target, grad);
        net.ZeroGrad();
        net.Backward(grad, net.Layers.Count - 2);

        Assert.Equal(expectedLoss, trace.Loss, 6);
        Assert.Equal(-Math.Log(trace.Probabilities[Data.Labels[2]]), trace.Loss, 4);
        Assert.True(trace.Fused);
        Assert.Equal([6, 5, 4, 3, 2, 1], trace.BackwardPass.Select(b => b.Layer.Position));
        foreach (var (name, p) in net.NamedParameters)
        {
            int layer = int.Parse(name.Split('.')[0]) + 1;
            var traced = trace.BackwardPass.Single(b => b.Layer.Position == layer).Parameters.Single(q => q.Name == p.Name);
            Assert.Equal(TensorPrimitives.Norm(p.Grad.Span), traced.GradNorm, 4);
        }
        Assert.Equal(TensorPrimitives.Norm(grad.Span), trace.BackwardPass[0].Incoming.Norm, 5);
        Assert.Equal([1, 28, 28], trace.BackwardPass[^1].Outgoing!.Shape); // carried down to the input
        Assert.False(net.InputGradient);                                    // and the network's setting restored
    }

    [Fact]
    public void Sigmoid_gradients_vanish_in_a_deep_network_and_relu_ones_do_not()
    {
        double Ratio(string activation)
        {
            var net = ModelSpec.Build(Deep(activation), [1, 28, 28], 10, 1);
            var trace = BackpropTrace.Run(net, new SoftmaxCrossEntropy(), Data.Sample(0), Data.Labels[0]);
            var weights = trace.BackwardPass.SelectMany(b => b.Parameters.Where(p => p.Name == "weight")).ToList();
            Assert.Equal(9, weights.Count);
            if (activation == "sigmoid")
            {
                // Each sigmoid multiplies the gradient by at most 1/4: |dL/dy| shrinks at every dense layer going down.
                var incoming = trace.BackwardPass.Where(b => b.Layer is Dense).Select(b => b.Incoming.Norm).ToList();
                for (int i = 1; i < incoming.Count; i++) Assert.True(incoming[i] < incoming[i - 1], $"dense {i}: {incoming[i]} >= {incoming[i - 1]}");
                Assert.Contains("vanishing", trace.ToText());
            }
            else Assert.DoesNotContain("vanishing", trace.ToText());
            return weights[^1].GradNorm / weights[0].GradNorm;
        }
        double sigmoid = Ratio("sigmoid"), relu = Ratio("relu");
        Assert.True(sigmoid < 1e-2, $"sigmoid: first/last weight gradient {sigmoid}");
        Assert.True(relu > 0.1, $"relu: first/last weight gradient {relu}");
    }

    [Fact]
    public void Text_walks_forward_then_backward_with_shapes_and_rules()
    {
        var net = ModelSpec.Build("mlp", [1, 28, 28], 10, 4);
        var text = BackpropTrace.Run(net, new SoftmaxCrossEntropy(), Data.Sample(0), Data.Labels[0]).ToText(IdxDataset.FashionMnistClasses);
        int forward = text.IndexOf("forward pass"), backward = text.IndexOf("backward pass");
        Assert.True(forward >= 0 && backward > forward, text);
        Assert.Contains("dense(256)  [256]", text);
        Assert.Contains("weight [256, 784]: |grad|", text);
        Assert.Contains("dL/dx = relu'(x) * dL/dy", text);
        Assert.Contains("dL/dz = p - onehot(label)", text);
        Assert.Contains($"label {Data.Labels[0]} {IdxDataset.FashionMnistClasses[Data.Labels[0]]}", text);
    }
}
