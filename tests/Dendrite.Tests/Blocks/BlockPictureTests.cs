using Dendrite.Tests.IO;
using Dendrite.Visualization;

namespace Dendrite.Tests.Blocks;

/// <summary>explain, activation maps and filters on networks built of blocks.</summary>
public class BlockPictureTests
{
    // One block with the identity shortcut (4 -> 4 channels), one with a projection (stride 2, 4 -> 6 channels).
    private const string Spec = "conv(4,3,pad=1),relu,residual(conv(4,3,pad=1),relu,conv(4,3,pad=1)),relu,residual(conv(6,3,stride=2,pad=1)),gap,dense(4)";

    [Fact]
    public void Activation_maps_include_each_block_and_the_activation_after_it()
    {
        var net = SmallData.Net(Spec);
        var maps = ActivationMaps.Collect(net, TestData.Random(new Rng(1), 0f, 1f, net.InputShape).Span);
        Assert.Equal(["input", "layer 1 conv(4,3,pad=1) + relu", $"layer 3 {net.Layers[2].Spec} + relu", $"layer 5 {net.Layers[4].Spec}"],
            maps.Select(m => m.Label));
        Assert.Equal(6, maps[^1].Channels);
    }

    [Fact]
    public void Filters_come_from_the_first_convolution_inside_a_block()
    {
        var net = SmallData.Net("residual(conv(4,3,pad=1),relu,conv(4,3,pad=1)),relu,gap,dense(4)");
        var (layer, weight) = FilterGrid.FirstLayer(net)!.Value;
        Assert.Equal("layer 1 residual > body.0 conv(4,3,pad=1)", layer.Label);
        Assert.Equal([4, 1, 3, 3], weight.Shape.ToArray());
        Assert.Same(layer, FilterGrid.Convolution(net, null));
    }

    [Fact]
    public void Explain_traces_a_block_as_one_step_with_its_rule()
    {
        var net = SmallData.Net(Spec);
        var trace = BackpropTrace.Run(net, new SoftmaxCrossEntropy(), TestData.Random(new Rng(2), 0f, 1f, net.InputShape).Span, label: 1);
        string text = trace.ToText();
        Assert.Contains("dL/dx = f's backward of dL/dy + dL/dy (the shortcut carries it unchanged)", text);
        Assert.Contains("P's backward of dL/dy", text);
        // The block passes a nonzero dL/dx on to the layers below it.
        Assert.Contains(trace.BackwardPass, b => b.Layer is Residual && b.Outgoing is not null && b.Outgoing.Norm > 0);
    }
}
