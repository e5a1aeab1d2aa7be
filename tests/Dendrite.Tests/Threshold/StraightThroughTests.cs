namespace Dendrite.Tests.Threshold;

public class StraightThroughTests
{
    private static (Tensor X, Tensor T) XorBatch()
    {
        var x = new Tensor([0, 0, 0, 1, 1, 0, 1, 1], 4, 2);
        var t = new Tensor([1, 0, 0, 1, 0, 1, 1, 0], 4, 2); // one-hot of 0, 1, 1, 0
        return (x, t);
    }

    [Fact]
    public void The_plain_gradient_through_a_threshold_unit_is_zero()
    {
        var (x, t) = XorBatch();
        var first = new Dense(4);
        var net = new Sequential(first, new Step(), new Dense(2)).Build([2], seed: 1);
        var loss = new SoftmaxCrossEntropy();
        var grad = new Tensor(4, 2);
        var y = net.Forward(x, training: true);
        loss.Compute(y, t, grad);
        net.ZeroGrad();
        net.Backward(grad);
        // The output layer learns; everything below the step gets exactly nothing.
        Assert.Contains(net.Layers[2].Parameters[0].Grad.Span.ToArray(), g => g != 0f);
        Assert.All(first.Weight.Grad.Span.ToArray(), g => Assert.Equal(0f, g));
        Assert.All(first.Bias!.Grad.Span.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void The_straight_through_estimator_passes_a_gradient_to_the_layer_below()
    {
        var (x, t) = XorBatch();
        var first = new Dense(4);
        var net = new Sequential(first, new Step(straightThrough: true), new Dense(2)).Build([2], seed: 1);
        var grad = new Tensor(4, 2);
        new SoftmaxCrossEntropy().Compute(net.Forward(x, training: true), t, grad);
        net.ZeroGrad();
        net.Backward(grad);
        Assert.Contains(first.Weight.Grad.Span.ToArray(), g => g != 0f);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void A_hidden_layer_of_threshold_units_learns_XOR_with_the_estimator_and_not_without(ulong seed)
    {
        float Train(bool ste, out float[] before, out float[] after)
        {
            var first = new Dense(8, Initializer.Xavier);
            var net = new Sequential(first, new Step(ste), new Dense(2), new Softmax()).Build([2], seed);
            before = first.Weight.Value.Span.ToArray();
            var data = PerceptronRuleTests.Xor();
            var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(0.1f));
            trainer.Fit(data, null, epochs: 300, batchSize: 4).ToList();
            after = first.Weight.Value.Span.ToArray();
            return trainer.Evaluate(data).Accuracy;
        }

        Train(ste: false, out var plainBefore, out var plainAfter);
        Assert.Equal(plainBefore, plainAfter); // 300 steps, and nothing reached the hidden layer
        float accuracy = Train(ste: true, out var steBefore, out var steAfter);
        Assert.NotEqual(steBefore, steAfter);
        Assert.Equal(1f, accuracy);
    }
}
