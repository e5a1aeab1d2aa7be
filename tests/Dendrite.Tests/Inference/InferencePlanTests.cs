namespace Dendrite.Tests.Inference;

/// <summary>
/// The inference plan computes Forward(x, training: false) with batch norm folded, activations fused and each
/// convolution's algorithm measured: the same values up to float rounding, the same bits on any thread count, and no
/// allocation per call.
/// </summary>
public class InferencePlanTests
{
    public static TheoryData<string, int, int, int> Networks() => new()
    {
        { "mlp", 1, 28, 28 }, { "perceptron", 1, 28, 28 }, { "rbf", 1, 28, 28 }, { "cnn", 1, 28, 28 },
        { "lenet5", 1, 28, 28 }, { "fashion", 1, 28, 28 }, { "resnet", 1, 28, 28 },
        // Random small nets: residual blocks with and without projection, batch norm after dense and alone, stride,
        // no bias, dilation, each elementwise activation as an epilogue, dropout, nested blocks.
        { "conv(8,3,stride=2,pad=1,bias=false),batchnorm,elu,conv(16,5,pad=2),sigmoid,maxpool(2),flatten,dense(10)", 3, 20, 20 },
        { "conv(6,3),leakyrelu,conv(4,1),gaussian,flatten,dense(12),batchnorm,tanh,dropout(0.5),dense(10)", 2, 9, 9 },
        { "residual(conv(4,3,pad=1),batchnorm,relu,conv(4,3,pad=1),batchnorm),relu,residual(conv(8,3,stride=2,pad=1),batchnorm,relu,conv(8,3,pad=1),batchnorm),relu,gap,dense(10)", 4, 12, 12 },
        { "batchnorm,relu,conv(5,3,dilation=2,pad=2),batchnorm,elu,avgpool(2),sequential(conv(3,3,pad=1),batchnorm,relu),flatten,dense(10)", 2, 16, 18 },
        { "dense(16),batchnorm,relu,residual(dense(16),batchnorm,relu,dense(8)),relu,dense(10),softmax", 1, 5, 5 },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_plan_gives_the_values_of_the_layer_by_layer_forward(string spec, int c, int h, int w)
    {
        var net = Trained(spec, c, h, w);
        var x = TestData.Random(new Rng(5), 6, c, h, w);
        var expected = net.Forward(x, training: false).Span.ToArray();
        var plan = InferencePlan.Build(net);
        var planned = plan.Run(x).Span.ToArray();
        AssertClose(expected, planned, spec);
        // And once more, so neither depends on state the other left behind.
        AssertClose(net.Forward(x, training: false).Span.ToArray(), net.Predict(x).Span.ToArray(), spec);
    }

    [Fact]
    public void Batch_norm_dropout_and_activations_leave_no_step_of_their_own()
    {
        var steps = InferencePlan.Build(ModelSpec.Build("fashion", [1, 28, 28], 10, seed: 1)).Steps;
        Assert.StartsWith("conv(32,3,pad=1)+batchnorm+relu [", steps[0]);
        Assert.Contains(steps, s => s.StartsWith("dense(256)+batchnorm+relu", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, s => s.StartsWith("dropout", StringComparison.Ordinal) || s.StartsWith("batchnorm", StringComparison.Ordinal) || s.StartsWith("relu", StringComparison.Ordinal));
        Assert.Equal(["maxpool(2)", "maxpool(2)", "maxpool(2)", "flatten", "softmax"],
            steps.Where(s => !s.StartsWith("conv", StringComparison.Ordinal) && !s.StartsWith("dense", StringComparison.Ordinal)).Select(s => s.Split(' ')[0]));
    }

    [Fact]
    public void The_plan_follows_weights_and_statistics_that_change_after_it_was_built()
    {
        var net = Trained("conv(4,3,pad=1),batchnorm,relu,flatten,dense(6),batchnorm,tanh,dense(10)", 2, 6, 6);
        var x = TestData.Random(new Rng(9), 4, 2, 6, 6);
        var plan = InferencePlan.Build(net);
        var before = plan.Run(x).Span.ToArray();
        var xt = TestData.Random(new Rng(10), 8, 2, 6, 6);
        net.Forward(xt, training: true); // moves the running statistics
        foreach (var p in net.Parameters) p.Value.Span[0] += 0.25f;
        var after = plan.Run(x).Span.ToArray();
        Assert.NotEqual(before, after);
        AssertClose(net.Forward(x, training: false).Span.ToArray(), after, "after the change");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Prepared_Winograd_filters_are_reused_only_while_the_weights_stay_the_same(bool withNorm)
    {
        // A step keeps its folded weights and transformed filters between calls; a changed weight, a moved statistic,
        // or a training forward in between (which transforms the live filters into the same buffer) must not leave
        // it computing with the old ones.
        var net = Trained(withNorm ? "conv(6,3,pad=1),batchnorm,relu,flatten,dense(10)" : "conv(6,3,pad=1),relu,flatten,dense(10)", 3, 8, 8);
        var conv = net.Walk().OfType<Conv2d>().Single();
        Assert.Contains(Dendrite.Kernels.ConvolutionAlgorithm.Winograd, conv.Algorithms);
        var step = new Dendrite.Inference.ConvolutionStep(conv, net.Walk().OfType<BatchNorm>().SingleOrDefault(), new ReLU(), Dendrite.Kernels.ConvolutionAlgorithm.Winograd);
        var x = TestData.Random(new Rng(12), 3, 3, 8, 8);
        float[] Reference() => net.Layers.Take(withNorm ? 3 : 2).Aggregate(x, (h, l) => l.Forward(h, training: false)).Span.ToArray();
        float[] Planned() => step.Run(x, net.Engine).Span.ToArray();

        var first = Planned();
        AssertClose(Reference(), first, "first call");
        Assert.Equal(first, Planned()); // reused: the same bits
        conv.Weight.Value.Span[5] += 0.5f;
        var changed = Planned();
        Assert.NotEqual(first, changed);
        AssertClose(Reference(), changed, "after a weight changed");
        net.Forward(x, training: true); // Winograd's buffer now holds the live filters, unfolded; statistics moved
        AssertClose(Reference(), Planned(), "after a training forward");
        conv.Weight.Value.Span[5] -= 0.5f;
        if (withNorm) net.Walk().OfType<BatchNorm>().Single().RunningVar.Span[2] *= 3f;
        AssertClose(Reference(), Planned(), "after a weight changed back");
    }

    [Theory]
    [InlineData("resnet", 1)]
    [InlineData("resnet", 5)]
    [InlineData("lenet5", 3)]
    [InlineData("mlp", 1)]
    public void Results_are_bit_identical_on_any_thread_count(string model, int batch)
    {
        var x = TestData.Random(new Rng(12), 0f, 1f, batch, 1, 28, 28);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var net = ModelSpec.Build(model, [1, 28, 28], 10, seed: 4, TestEngines.AlwaysParallel(threads));
            var y = InferencePlan.Build(net).Run(x).Span.ToArray();
            if (first is null) first = y;
            else Assert.Equal(first, y);
        }
    }

    [Fact]
    public void Predict_stops_after_count_layers()
    {
        var net = ModelSpec.Build("cnn", [1, 28, 28], 10, seed: 3);
        var x = TestData.Random(new Rng(6), 3, 1, 28, 28);
        // One layer: the convolution alone, not rectified although a ReLU follows it.
        var conv = net.Predict(x, count: 1).Span.ToArray();
        Assert.Contains(conv, v => v < 0);
        AssertClose(net.Forward(x, training: false, count: 1).Span.ToArray(), conv, "1 layer");
        AssertClose(net.Forward(x, training: false, count: 2).Span.ToArray(), net.Predict(x, count: 2).Span.ToArray(), "2 layers");
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
    public void A_wrong_input_shape_is_refused_naming_both_shapes()
    {
        var plan = InferencePlan.Build(ModelSpec.Build("mlp", [1, 28, 28], 10, seed: 1));
        var error = Assert.Throws<ShapeException>(() => plan.Run(new Tensor(2, 1, 27, 28)));
        Assert.Contains("[2, 1, 27, 28]", error.Message);
        Assert.Contains("[N, 1, 28, 28]", error.Message);
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

    // A built net whose batch norms hold running statistics away from 0 and 1 and whose γ, β are not 1 and 0.
    private static Sequential Trained(string spec, int c, int h, int w)
    {
        var net = ModelSpec.Build(spec, [c, h, w], 10, seed: 3);
        var x = TestData.Random(new Rng(4), 0f, 2f, 8, c, h, w);
        for (int i = 0; i < 4; i++) net.Forward(x, training: true);
        var rng = new Rng(6);
        foreach (var bn in net.Walk().OfType<BatchNorm>())
        {
            rng.Uniform(bn.Gamma.Value.Span, 0.5f, 1.5f);
            rng.Uniform(bn.Beta.Value.Span, -0.5f, 0.5f);
        }
        return net;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = Math.Max(1f, expected.Max(MathF.Abs));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * scale,
                $"{what}: value {i} is {actual[i]}, layer by layer {expected[i]}");
    }
}
