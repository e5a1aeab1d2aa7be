using Dendrite.Tests.IO;

namespace Dendrite.Tests.Blocks;

/// <summary>Residual blocks: y = f(x) + s(x) against a reference, gradients, names, files and ONNX Runtime.</summary>
public class ResidualTests
{
    [Fact]
    public void Identity_shortcut_adds_the_input_to_the_body()
    {
        var block = new Residual(new Dense(3), new ReLU());
        block.Build([3], new Rng(1));
        Assert.Null(block.Projection);
        var dense = (Dense)block.Body.Layers[0];
        new float[] { 1, 0, 0, 0, -1, 0, 1, 1, 1 }.CopyTo(dense.Weight.Value.Span);
        new float[] { 0, 0, -5 }.CopyTo(dense.Bias!.Value.Span);
        var y = block.Forward(new Tensor([2, 3, 4], 1, 3), training: false);
        // body: relu([2, -3, 9 - 5]) = [2, 0, 4]; plus x = [4, 3, 8].
        TestData.AssertClose([4, 3, 8], y.Span);
    }

    [Fact]
    public void A_shape_changing_body_gets_a_strided_1x1_projection_with_batch_norm_as_resnet()
    {
        var net = new Sequential(new Residual(new Conv2d(8, 3, stride: 2, pad: 1), new BatchNorm(), new ReLU(), new Conv2d(8, 3, pad: 1), new BatchNorm()));
        net.Build([3, 9, 9]);
        var block = (Residual)net.Layers[0];
        var conv = Assert.IsType<Conv2d>(block.Projection!.Layers[0]);
        Assert.Equal((1, 1, 2, false), (conv.KernelH, conv.KernelW, conv.Stride, conv.HasBias));
        Assert.IsType<BatchNorm>(block.Projection.Layers[1]);
        Assert.Equal([8, 5, 5], net.OutputShape);
        Assert.Equal(["0.body.0.weight", "0.body.0.bias", "0.body.1.weight", "0.body.1.bias", "0.body.3.weight", "0.body.3.bias",
            "0.body.4.weight", "0.body.4.bias", "0.projection.0.weight", "0.projection.1.weight", "0.projection.1.bias"],
            net.NamedParameters.Select(p => p.Name));
        Assert.Contains(net.Buffers, b => b.Name == "0.projection.1.running_var");
    }

    [Fact]
    public void Forward_equals_body_plus_projection_computed_by_hand()
    {
        var rng = new Rng(5);
        var net = new Sequential(new Residual(new Conv2d(4, 3, stride: 2, pad: 1), new Tanh())).Build([2, 7, 7], seed: 2);
        var block = (Residual)net.Layers[0];
        var x = TestData.Random(rng, 3, 2, 7, 7);
        var y = net.Forward(x, training: false).Span.ToArray();
        // The same weights in plain layers: f = tanh(conv3x3 s2 (x)), s = conv1x1 s2 (x).
        var f = block.Body.Forward(x, training: false).Span.ToArray();
        var s = block.Projection!.Forward(x, training: false).Span.ToArray();
        var reference = new Conv2d(4, 1, stride: 2);
        reference.Build([2, 7, 7], new Rng(9));
        var projectionConv = (Conv2d)block.Projection.Layers[0];
        projectionConv.Weight.Value.Span.CopyTo(reference.Weight.Value.Span);
        projectionConv.Bias!.Value.Span.CopyTo(reference.Bias!.Value.Span);
        var s2 = reference.Forward(x, training: false).Span.ToArray();
        TestData.AssertClose(s, s2);
        TestData.AssertClose(f.Zip(s, (a, b) => a + b).ToArray(), y);
        Assert.Contains(s, v => MathF.Abs(v) > 1e-3f); // the shortcut really contributed
    }

    public static TheoryData<string, int[]> Blocks() => new()
    {
        { "residual(dense(5),tanh,dense(5))", [5] },
        { "residual(dense(3),sigmoid)", [5] },
        { "residual(conv(3,3,pad=1),tanh,conv(3,3,pad=1))", [3, 6, 5] },
        { "residual(conv(4,3,stride=2,pad=1),batchnorm,tanh)", [2, 7, 6] },
        { "residual(conv(4,3,stride=2,pad=1),tanh,conv(4,3,pad=1))", [2, 8, 8] },
        { "concat(conv(2,1),sequential(conv(3,3,pad=1),tanh))", [2, 5, 5] },
        { "sequential(dense(4),tanh,dense(3))", [5] },
        { "residual(residual(dense(5),tanh),dense(5))", [5] },
    };

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Block_backward_matches_central_differences(string spec, int[] input)
    {
        var rng = new Rng(11);
        var layer = ModelSpec.Parse(spec).Single();
        layer.Build(input, new Rng(3));
        var results = GradientCheck.CheckLayer(layer, TestData.Random(rng, [3, .. input]), rng);
        TestData.AssertGradients(results);
        // Every parameter tensor and dL/dx was checked with nonzero gradients: the check cannot pass on nothing.
        Assert.Equal(layer.Parameters.Count + 1, results.Count);
        Assert.All(results, r => Assert.True(r.Checked > 0 && Math.Abs(r.Analytic) + Math.Abs(r.Numeric) > 0, r.ToString()));
    }

    [Fact]
    public void A_wrong_backward_is_caught()
    {
        // The same check on a block whose shortcut gradient is dropped must fail.
        var rng = new Rng(2);
        var layer = new BrokenResidual(new Dense(4), new Tanh());
        layer.Build([4], new Rng(1));
        var results = GradientCheck.CheckLayer(layer, TestData.Random(rng, 3, 4), rng);
        Assert.Contains(results, r => r.MaxRelativeError > 0.1);
    }

    [Fact]
    public void The_network_check_goes_inside_blocks_and_still_catches_a_dropped_shortcut()
    {
        var rng = new Rng(4);
        var good = new Sequential(new Dense(6), new Residual(new Dense(6), new ReLU(), new Dense(6)), new Dense(3)).Build([5], seed: 2);
        var results = GradientCheck.CheckNetwork(good, new SoftmaxCrossEntropy(), TestData.Random(rng, 4, 5), TestData.OneHot(rng, 4, 3), rng);
        TestData.AssertGradients(results);
        Assert.Contains(results, r => r.Layer == "layer 2 residual > body.0 dense(6)" && r.Tensor == "weight");
        Assert.Contains(results, r => r.Layer.StartsWith("layer 2 residual(") && r.Tensor == "dL/dx");

        var broken = new Sequential(new Dense(6), new BrokenResidual(new Dense(6), new ReLU(), new Dense(6)), new Dense(3)).Build([5], seed: 2);
        var bad = GradientCheck.CheckNetwork(broken, new SoftmaxCrossEntropy(), TestData.Random(rng, 4, 5), TestData.OneHot(rng, 4, 3), rng);
        Assert.Contains(bad, r => r.Layer.StartsWith("layer 2 broken") && r.Tensor == "dL/dx" && r.MaxRelativeError > 0.1);
    }

    [Fact]
    public void The_resnet_preset_passes_the_network_check()
    {
        // Seed 4 failed before the check went inside blocks (ReLU kinks, Winograd rounding over a small step).
        var rng = new Rng(4);
        var net = ModelSpec.Build("resnet", [1, 28, 28], 10, seed: 4);
        var x = TestData.Random(rng, 0f, 1f, [2, 1, 28, 28]);
        TestData.AssertGradients(GradientCheck.CheckNetwork(net, new SoftmaxCrossEntropy(), x, TestData.OneHot(rng, 2, 10), rng), tolerance: 0.05);
    }

    private sealed class BrokenResidual(params Layer[] body) : Layer
    {
        private readonly Residual _inner = new(body);
        public override string Spec => "broken";
        public override LayerShape Describe(int[] inputShape) => _inner.Describe(inputShape);
        protected override void OnBuild(int[] inputShape, Rng rng)
        {
            _inner.Build(inputShape, rng);
            Learns([.. _inner.Parameters]);
        }
        public override IEnumerable<(string Name, Parameter Parameter)> NamedParameters => _inner.NamedParameters;
        public override Tensor Forward(Tensor x, bool training) => _inner.Forward(x, training);
        public override Tensor Backward(Tensor dy) => _inner.Body.Backward(dy); // forgets the identity path
        internal override IReadOnlyList<(Layer Child, Tensor Input)> ChildInputs(Tensor x) => _inner.ChildInputs(x);
        public override IReadOnlyList<Layer> Children => [_inner];
    }

    public static TheoryData<string> Networks() =>
    [
        "conv(4,3,pad=1),batchnorm,relu,residual(conv(4,3,pad=1),batchnorm,relu,conv(4,3,pad=1),batchnorm),relu," +
        "residual(conv(8,3,stride=2,pad=1),batchnorm,relu,conv(8,3,pad=1),batchnorm),relu,gap,dense(4)",
        "residual(conv(3,3,pad=1),relu),concat(conv(2,1),sequential(conv(2,3,pad=1),tanh)),flatten,residual(dense(6),relu),dense(4)",
        "flatten,residual(dense(64),tanh),sequential(dense(16),relu),residual(dense(8)),dense(4),softmax",
    ];

    [Theory]
    [MemberData(nameof(Networks))]
    public void Networks_with_blocks_match_onnx_runtime(string spec)
    {
        var net = SmallData.Net(spec, seed: 7);
        var x = TestData.Random(new Rng(4), 0f, 1f, [16, .. net.InputShape]);
        for (int i = 0; i < 5; i++) net.Forward(x, training: true); // batch norm statistics away from 0 and 1
        Assert.True(OnnxExportTests.MaxDifference(net, new Normalization(0.5f, 0.25f)) <= 1e-4f);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Networks_with_blocks_save_and_load_with_path_names(string spec)
    {
        var net = SmallData.Net(spec, seed: 8);
        var x = TestData.Random(new Rng(4), 0f, 1f, [5, .. net.InputShape]);
        for (int i = 0; i < 3; i++) net.Forward(x, training: true);
        var path = Path.Combine(SmallData.TempDir(), "blocks.safetensors");
        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        var loaded = ModelFile.Load(path).Net;
        Assert.Equal(net.Spec, loaded.Spec);
        Assert.Equal(ModelFile.Tensors(net).Select(t => t.Name), ModelFile.Tensors(loaded).Select(t => t.Name));
        Assert.Equal(net.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
        TestData.AssertClose(net.Forward(x).Span.ToArray(), loaded.Predict(x).Span.ToArray(), 1e-4f);
    }

    [Fact]
    public void Predict_inside_blocks_equals_forward()
    {
        var net = SmallData.Net("residual(conv(4,3,pad=1),relu,conv(4,3,pad=1)),relu,flatten,dense(4)", seed: 3);
        var x = TestData.Random(new Rng(1), 0f, 1f, [6, .. net.InputShape]);
        var forward = net.Forward(x).Span.ToArray();
        TestData.AssertClose(forward, net.Predict(x).Span.ToArray(), 1e-5f);
    }

    [Fact]
    public void A_network_with_residual_blocks_trains()
    {
        var (train, test) = Synthetic.Images(600, 200, seed: 3);
        var net = ModelSpec.Build("conv(8,3,pad=1),batchnorm,relu,residual(conv(8,3,pad=1),batchnorm,relu,conv(8,3,pad=1),batchnorm),relu," +
                                  "residual(conv(16,3,stride=2,pad=1),batchnorm,relu,conv(16,3,pad=1),batchnorm),relu,gap,dense(10)",
            train.SampleShape, train.OutputSize, seed: 1);
        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(0.01f));
        var before = trainer.Evaluate(test).Accuracy;
        var history = trainer.Fit(train, test, epochs: 3, batchSize: 32).ToList();
        Assert.True(history[^1].TestAccuracy > before + 0.3f, $"{before} -> {history[^1].TestAccuracy}");
    }
}
