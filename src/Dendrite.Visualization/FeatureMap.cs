namespace Dendrite.Visualization;

/// <summary>One layer's output for one input: a volume [C, H, W], each channel a map; Label names the layer.</summary>
public sealed record FeatureMap(string Label, Tensor Values)
{
    public int Channels => Values[0];
    public int Height => Values[1];
    public int Width => Values[2];

    /// <summary>"layer 2 relu  32 x 28 x 28": the label with the volume's size.</summary>
    public string Caption => $"{Label}   {Channels} x {Height} x {Width}";
}
