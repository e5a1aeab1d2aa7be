using Dendrite.Tests.IO;
using Dendrite.Visualization;

namespace Dendrite.Tests.Training;

/// <summary>Dead ReLU units counted, and NaN or infinity traced to their cause.</summary>
public class DeadUnitsTests
{
    // Units given bias -10 with weights in [-1, 1] on inputs in [0, 1] can never fire; bias +10 always fires.
    private static Sequential WithDeadUnits(int[] dead)
    {
        var net = new Sequential(new Conv2d(4, 1), new ReLU(), new Flatten(), new Dense(6), new ReLU(), new Dense(2)).Build([2, 3, 3], seed: 2);
        var conv = (Conv2d)net.Layers[0];
        var dense = (Dense)net.Layers[3];
        new Rng(3).Uniform(conv.Weight.Value.Span, -0.1f, 0.1f);
        new Rng(4).Uniform(dense.Weight.Value.Span, -0.01f, 0.01f);
        for (int c = 0; c < 4; c++) conv.Bias!.Value.Span[c] = dead.Contains(c) ? -10f : 10f;
        for (int u = 0; u < 6; u++) dense.Bias!.Value.Span[u] = dead.Contains(10 + u) ? -10f : 10f;
        return net;
    }

    private static Dataset Uniform(int count, int[] shape)
    {
        var x = TestData.Random(new Rng(5), 0f, 1f, [count, .. shape]).Span.ToArray();
        return new Dataset(x, shape, new int[count], 2);
    }

    [Fact]
    public void Counts_the_units_that_never_fire_per_relu_layer()
    {
        var net = WithDeadUnits([0, 2, 11, 13, 14]);
        var counts = DeadUnits.Measure(net, Uniform(50, [2, 3, 3]), batchSize: 16);
        Assert.Equal(2, counts.Count);
        Assert.Equal((2, 4, 2, 50), (counts[0].Layer.Position, counts[0].Units, counts[0].Dead, counts[0].Samples));
        Assert.Equal((5, 6, 3), (counts[1].Layer.Position, counts[1].Units, counts[1].Dead));
        Assert.Equal(0.5, counts[1].Fraction);
        Assert.Equal("layer 5 relu: 3 of 6 units never fire (50.0%) on 50 samples", counts[1].ToString());

        var alive = DeadUnits.Measure(WithDeadUnits([]), Uniform(10, [2, 3, 3]));
        Assert.All(alive, c => Assert.Equal(0, c.Dead));
    }

    [Fact]
    public void Counts_the_relus_inside_a_residual_block_too()
    {
        // residual(dense(6),relu,dense(3)),relu: the inner relu has units 1 and 4 dead, the block's output relu unit 2.
        var net = new Sequential(new Flatten(), new Residual(new Dense(6), new ReLU(), new Dense(3)), new ReLU()).Build([3], seed: 2);
        var inner = net.Walk().OfType<Dense>().ToArray();
        new Rng(3).Uniform(inner[0].Weight.Value.Span, -0.1f, 0.1f);
        new Rng(4).Uniform(inner[1].Weight.Value.Span, -0.01f, 0.01f);
        for (int u = 0; u < 6; u++) inner[0].Bias!.Value.Span[u] = u is 1 or 4 ? -10f : 10f;
        // y = f(x) + x with x in [0, 1]: bias -20 keeps output 2 below zero, +20 keeps the others above.
        for (int u = 0; u < 3; u++) inner[1].Bias!.Value.Span[u] = u == 2 ? -20f : 20f;
        var counts = DeadUnits.Measure(net, Uniform(40, [3]), batchSize: 16);
        Assert.Equal(2, counts.Count);
        Assert.Equal((6, 2), (counts[0].Units, counts[0].Dead));
        Assert.Contains("residual", counts[0].Layer.Label);
        Assert.Equal((3, 1), (counts[1].Units, counts[1].Dead));
        Assert.Equal(3, counts[1].Layer.Position);
    }

    [Fact]
    public void A_unit_that_fires_for_a_single_sample_is_alive()
    {
        var net = new Sequential(new Dense(1), new ReLU()).Build([1], seed: 1);
        ((Dense)net.Layers[0]).Weight.Value.Span[0] = 1f;
        ((Dense)net.Layers[0]).Bias!.Value.Span[0] = -0.95f;
        var data = new Dataset([0f, 0.5f, 0.9f, 0.96f, 0.1f], [1], new int[5], 2);
        Assert.Equal(0, DeadUnits.Measure(net, data)[0].Dead);
        Assert.Equal(1, DeadUnits.Measure(net, data, limit: 3)[0].Dead);
    }

    [Fact]
    public void Explain_names_the_layer_whose_weights_hold_nan()
    {
        var net = SmallData.Net("dense(8),relu,dense(4),softmax");
        ((Dense)net.Layers[3]).Weight.Value.Span[5] = float.NaN;
        var trace = BackpropTrace.Run(net, new SoftmaxCrossEntropy(), TestData.Random(new Rng(1), 0f, 1f, 64).Span, 1);
        Assert.StartsWith("layer 4 dense(4): its weight holds 1 NaN or infinite values", trace.NonFiniteCause);
        Assert.Contains("not finite: layer 4 dense(4)", trace.ToText());
    }

    [Fact]
    public void Explain_names_the_layer_whose_output_overflowed()
    {
        var net = SmallData.Net("dense(8),relu,dense(8),relu,dense(4),softmax");
        foreach (var p in net.Parameters) p.Value.Span.Fill(1e14f);
        var trace = BackpropTrace.Run(net, new SoftmaxCrossEntropy(), TestData.Random(new Rng(1), 0.5f, 1f, 64).Span, 1);
        // Inputs in [0.5, 1]: layer 2's outputs are about 48 * 1e14 = 5e15, layer 4's about 8 * 5e15 * 1e14 = 4e30 (finite),
        // layer 6's about 8 * 4e30 * 1e14 = 3e45, past float's 3.4e38.
        Assert.StartsWith("layer 6 dense(4): its output overflowed", trace.NonFiniteCause);
        Assert.Contains("e+30)", trace.NonFiniteCause);
        Assert.True(double.IsFinite(trace.ForwardPass[1].Output.Norm), "the norm of finite values is finite (summed in double)");
        Assert.Null(BackpropTrace.Run(SmallData.Net(), new SoftmaxCrossEntropy(), new float[64], 0).NonFiniteCause);
    }

    [Fact]
    public void A_volume_of_zeros_is_drawn_dark()
    {
        Assert.Equal((0f, 1f), ActivationMaps.ZeroDark((0f, 0f)));
        Assert.Equal((0f, 3f), ActivationMaps.ZeroDark((3f, 3f)));
        Assert.Equal((-2f, 5f), ActivationMaps.ZeroDark((-2f, 5f)));
        var maps = new[] { new FeatureMap("input", new Tensor(1, 4, 4)), new FeatureMap("layer 2 relu", new Tensor(2, 4, 4)) };
        using var image = ActivationMaps.Render(maps);
        // The centre of the second section's first tile: viridis at 0 (dark blue), not its middle (teal).
        int scale = ActivationMaps.Scale(maps[1]);
        int y = ActivationMaps.Margin + ActivationMaps.CaptionHeight + 4 * ActivationMaps.Scale(maps[0]) + 2 * ActivationMaps.Gap + ActivationMaps.Margin
                + ActivationMaps.CaptionHeight + ActivationMaps.Gap + 2 * scale;
        Dendrite.Tests.Visualization.Picture.AssertPixel(image, ActivationMaps.Margin + ActivationMaps.Gap + 2 * scale, y, Drawing.Viridis(0f), 2);
    }
}

/// <summary>The initial weights rebuilt from a model file's seed, and the change training made.</summary>
public class InitialWeightsTests
{
    [Fact]
    public void A_model_file_rebuilds_its_initial_weights_from_its_seed()
    {
        var net = ModelSpec.Build("edges", [1, 28, 28], 10, seed: 5);
        var conv = (Conv2d)net.Layers[0];
        var start = conv.Weight.Value.Clone();
        var path = Path.Combine(SmallData.TempDir(), "seeded.safetensors");
        // "Training": every weight moved by the same amount.
        foreach (ref float w in conv.Weight.Value.Span) w = 2 * w + 0.5f;
        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()) with { Seed = 5 });
        var saved = ModelFile.Load(path);
        Assert.Equal(5UL, saved.Metadata.Seed);
        var initial = (Conv2d)saved.Initial().Layers[0];
        Assert.Equal(start.Span.ToArray(), initial.Weight.Value.Span.ToArray());

        var change = FilterChange.Of(((Conv2d)saved.Net.Layers[0]).Weight.Value, initial.Weight.Value);
        Assert.Equal(1.0, change.Correlation, 6); // a linear map of the start
        Assert.Equal(start.Span[3] + 0.5f, change.Change.Span[3], 5);
        double expected = Math.Sqrt(start.Span.ToArray().Sum(v => (v + 0.5) * (v + 0.5)) / start.Span.ToArray().Sum(v => (double)v * v));
        Assert.Equal(expected, change.RelativeChange, 4);
    }

    [Fact]
    public void Without_a_seed_the_initial_weights_are_unknown()
    {
        var net = SmallData.Net("conv(2,3),flatten,dense(4)");
        var path = Path.Combine(SmallData.TempDir(), "unseeded.safetensors");
        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        Assert.Null(ModelFile.Load(path).Metadata.Seed);
        Assert.Contains("no seed in the model file", Assert.Throws<InvalidOperationException>(() => ModelFile.Load(path).Initial()).Message);
    }

    [Fact]
    public void The_edges_preset_trains_with_its_recipe()
    {
        var d = PresetDefaults.For("edges")!;
        Assert.Equal(("adamw", 0.005f, 2f, "auto"), (d.Optimizer, d.LearningRate, d.WeightDecay, d.Normalize));
    }
}
