using Dendrite.Tests.IO;

namespace Dendrite.Tests.Layers;

/// <summary>local(filters,kernel): a convolution without weight sharing.</summary>
public class LocallyConnected2dTests
{
    [Theory]
    [InlineData(1, 0, true)]
    [InlineData(2, 1, true)]
    [InlineData(1, 1, false)]
    public void Gradients_match_finite_differences(int stride, int pad, bool bias)
    {
        var rng = new Rng(5);
        var local = new LocallyConnected2d(3, 3, stride, pad, bias);
        local.Build([2, 6, 5], rng);
        if (bias) rng.Uniform(local.Bias!.Value.Span, -0.5f, 0.5f);
        var results = GradientCheck.CheckLayer(local, TestData.Random(rng, 2, 2, 6, 5), rng);
        Assert.Contains(results, r => r.Tensor.Contains("weight"));
        TestData.AssertGradients(results);
    }

    [Fact]
    public void Known_answer_by_hand()
    {
        // 1 channel 3x3 input 1..9, 2x2 windows, one filter: 4 positions, each with its own weights.
        // Position (0,0) weights [1,0,0,0] reads x[0,0] = 1; (0,1) weights [0,1,0,0] reads x[0,2] = 3;
        // (1,0) weights [0,0,1,0] reads x[2,0] = 7; (1,1) weights [1,1,1,1] sums 5+6+8+9 = 28. Biases 0.5, 0, 0, -1.
        var x = new Tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 1, 3, 3);
        var local = new LocallyConnected2d(1, 2);
        local.Build([1, 3, 3], new Rng(1));
        float[] w = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1];
        w.CopyTo(local.Weight.Value.Span);
        float[] b = [0.5f, 0, 0, -1];
        b.CopyTo(local.Bias!.Value.Span);
        var y = local.Forward(x, training: true);
        Assert.Equal([1, 1, 2, 2], y.Shape.ToArray());
        TestData.AssertClose([1.5f, 3f, 7f, 27f], y.Span);

        // dy = 1 everywhere: dL/dx counts each pixel's weights over the windows that read it.
        var dx = local.Backward(new Tensor([1, 1, 1, 1], 1, 1, 2, 2));
        TestData.AssertClose([1, 0, 1, 0, 1, 1, 1, 1, 1], dx.Span);
        TestData.AssertClose([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9], local.Weight.Grad.Span);
        TestData.AssertClose([1, 1, 1, 1], local.Bias.Grad.Span);
    }

    [Fact]
    public void Equals_a_convolution_when_every_position_holds_the_same_filters()
    {
        var rng = new Rng(9);
        var conv = new Conv2d(4, 3, 3, stride: 2, padH: 1, padW: 1);
        conv.Build([3, 9, 8], rng);
        rng.Uniform(conv.Bias!.Value.Span, -1f, 1f);
        var local = new LocallyConnected2d(4, 3, stride: 2, pad: 1);
        local.Build([3, 9, 8], rng);
        int positions = local.OutputShape[1] * local.OutputShape[2], bank = conv.Weight.Length;
        for (int p = 0; p < positions; p++) conv.Weight.Value.Span.CopyTo(local.Weight.Value.Span.Slice(p * bank, bank));
        for (int f = 0; f < 4; f++) local.Bias!.Value.Span.Slice(f * positions, positions).Fill(conv.Bias.Value.Span[f]);

        var x = TestData.Random(rng, 3, 3, 9, 8);
        Assert.Equal(conv.OutputShape, local.OutputShape);
        TestData.AssertClose(conv.Forward(x, true).Span, local.Forward(x, true).Span, 1e-4f);
        var dy = TestData.Random(rng, 3, 4, conv.OutputShape[1], conv.OutputShape[2]);
        TestData.AssertClose(conv.Backward(dy).Span, local.Backward(dy).Span, 1e-4f);
    }

    [Fact]
    public void Weight_counts_of_the_slide()
    {
        int[] input = [3, 32, 32];
        var local = new Sequential(new LocallyConnected2d(8, 5)).Build(input);
        var conv = new Sequential(new Conv2d(8, 5)).Build(input);
        var dense = new Sequential(new Dense(8 * 28 * 28)).Build(input);
        Assert.Equal(28 * 28 * 8 * (75 + 1), local.ParameterCount);
        Assert.Equal(476_672, local.ParameterCount);
        Assert.Equal(8 * (75 + 1), conv.ParameterCount);
        Assert.Equal(6272L * (3072 + 1), dense.ParameterCount);
        Assert.Equal("local(8,5)", local.Layers[0].Spec);
        Assert.Equal(conv.Layers[0].MultiplyAdds, local.Layers[0].MultiplyAdds);
    }

    [Fact]
    public void Same_bits_on_one_and_two_threads()
    {
        float[] Run(int threads)
        {
            var net = new Sequential(new LocallyConnected2d(5, 3, stride: 1, pad: 1), new ReLU(), new Flatten(), new Dense(3)).Build([2, 7, 7], seed: 4, TestEngines.Of(threads));
            var x = TestData.Random(new Rng(2), 4, 2, 7, 7);
            var y = net.Forward(x, training: true);
            net.ZeroGrad();
            net.Backward(TestData.Random(new Rng(3), 4, 3));
            return [.. y.Span.ToArray(), .. net.Parameters[0].Grad.Span.ToArray()];
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void Spec_round_trips_and_saves_loads_and_exports()
    {
        var net = SmallData.Net("local(4,3,stride=2,pad=1),relu,local(3,2,bias=false),flatten,dense(4),softmax");
        Assert.Equal("local(4,3,stride=2,pad=1)", net.Layers[0].Spec);
        Assert.Equal("local(3,2,bias=false)", net.Layers[2].Spec);
        var path = Path.Combine(SmallData.TempDir(), "local.safetensors");
        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        var loaded = ModelFile.Load(path);
        Assert.Contains(loaded.Net.NamedParameters, p => p.Name == "0.weight" && p.Parameter.Value.Shape.SequenceEqual([4, 4, 4, 1, 3, 3]));
        var x = TestData.Random(new Rng(8), 0f, 1f, 2, 1, 8, 8);
        Assert.Equal(net.Forward(x, false).Span.ToArray(), loaded.Net.Forward(x, false).Span.ToArray());
        Assert.True(OnnxExportTests.MaxDifference(loaded.Net, Normalization.None) <= 1e-4f);
    }

    [Fact]
    public void A_window_larger_than_the_input_is_named()
    {
        var e = Assert.Throws<ShapeException>(() => new Sequential(new LocallyConnected2d(2, 5)).Build([1, 3, 3]));
        Assert.Contains("local(2,5): kernel 5x5 is larger than the padded input 3x3", e.Message);
    }
}
