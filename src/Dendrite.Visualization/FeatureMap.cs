namespace Dendrite.Visualization;

/// <summary>One layer's output for one input: a volume [C, H, W], each channel a map; Label names the layer.</summary>
public sealed record FeatureMap(string Label, Tensor Values)
{
    /// <summary>C, the number of maps.</summary>
    public int Channels => Values[0];
    /// <summary>H, rows of each map.</summary>
    public int Height => Values[1];
    /// <summary>W, columns of each map.</summary>
    public int Width => Values[2];

    /// <summary>"layer 1 conv(32,5) + relu   32 x 24 x 24": the label with the volume's size C x H x W.</summary>
    public string Caption => $"{Label}   {Channels} x {Height} x {Width}";
}
