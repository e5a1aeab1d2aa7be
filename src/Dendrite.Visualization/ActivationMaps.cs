using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// 'One filter forms a surface, many filters form a volume': the input and the output volume of every convolution and
/// pooling layer for one input, each channel a tile. A convolution followed by batch norm and an elementwise
/// activation is shown after them (what the next layer reads), labelled with all of them.
/// </summary>
public static class ActivationMaps
{
    /// <summary>White pixels around each channel's tile.</summary>
    public const int Gap = 2;
    /// <summary>Pixels around the picture and between sections.</summary>
    public const int Margin = 8;
    /// <summary>Pixels of the caption line above each section.</summary>
    public const int CaptionHeight = 22;
    /// <summary>Tiles are enlarged to about this many pixels across.</summary>
    public const int TileTarget = 56;

    /// <summary>
    /// Runs one sample through the network in evaluation mode and keeps the volumes worth showing: the input first,
    /// then the output of each top-level layer that <see cref="Shows"/> accepts.
    /// </summary>
    /// <exception cref="ShapeException">The network does not take images [C, H, W], or the sample's length does not match its input.</exception>
    public static IReadOnlyList<FeatureMap> Collect(Sequential net, ReadOnlySpan<float> sample)
    {
        if (net.InputShape.Length != 3)
            throw new ShapeException($"activation maps need an image input [C, H, W], the model takes {Tensor.Format(net.InputShape)}");
        if (sample.Length != Tensor.Volume(net.InputShape))
            throw new ShapeException($"sample has {sample.Length} values, the model's input {Tensor.Format(net.InputShape)} needs {Tensor.Volume(net.InputShape)}");
        var x = new Tensor(sample.ToArray(), [1, .. net.InputShape]);
        var maps = new List<FeatureMap> { new($"input", x.View(net.InputShape).Clone()) };
        var layers = net.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].Forward(x, training: false);
            if (!Shows(layers[i])) continue;
            string label = layers[i].Label;
            if (layers[i] is Conv2d || layers[i].Children.Count > 0)
                while (i + 1 < layers.Count && layers[i + 1] is Activation or BatchNorm)
                {
                    x = layers[++i].Forward(x, training: false);
                    label += $" + {layers[i].Spec}";
                }
            maps.Add(new FeatureMap(label, x.View(x.SampleShape).Clone()));
        }
        return maps;
    }

    /// <summary>
    /// A convolution, a max/average pooling layer, or a block (residual, concat) whose output is maps (global average
    /// pooling's output is a vector, not maps).
    /// </summary>
    public static bool Shows(Layer layer) => layer is Conv2d or Pool2d || (layer.Children.Count > 0 && layer.IsBuilt && layer.OutputShape.Length == 3);

    /// <summary>Pixels per value for maps of this size.</summary>
    public static int Scale(FeatureMap map) => Math.Max(1, TileTarget / Math.Max(map.Height, map.Width));

    /// <summary>
    /// A section per map, top to bottom: its caption, then its channels in a near-square grid, each value a
    /// <see cref="Scale"/> x <see cref="Scale"/> square. The input is drawn in grey, other maps in viridis, each map on
    /// one range from its smallest to its largest value. The picture is as wide as the widest section or caption plus
    /// the margins.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="maps"/> is empty.</exception>
    public static SKBitmap Render(IReadOnlyList<FeatureMap> maps)
    {
        if (maps.Count == 0) throw new ArgumentException("no feature maps to draw", nameof(maps));
        int width = 0, height = Margin;
        foreach (var m in maps)
        {
            var (w, h) = SectionSize(m);
            width = Math.Max(width, w);
            height += CaptionHeight + h + Margin;
        }
        using var font = Drawing.Font(14);
        width = Math.Max(width, (int)maps.Max(m => font.MeasureText(m.Caption))) + 2 * Margin;
        var bitmap = Drawing.NewBitmap(width, height, Drawing.Background);
        using var canvas = new SKCanvas(bitmap);
        int y = Margin;
        foreach (var m in maps)
        {
            Drawing.Text(canvas, m.Caption, Margin, y + CaptionHeight - 6, font, Drawing.Ink);
            y += CaptionHeight;
            var (w, h) = SectionSize(m);
            canvas.Flush();
            DrawSection(bitmap, m, Margin, y, w, h);
            y += h + Margin;
        }
        canvas.Flush();
        return bitmap;
    }

    private static (int Width, int Height) SectionSize(FeatureMap m)
    {
        var g = GridShape.ForCount(m.Channels);
        int s = Scale(m);
        return (GridShape.Extent(g.Columns, m.Width * s, Gap), GridShape.Extent(g.Rows, m.Height * s, Gap));
    }

    /// <summary>
    /// The colour range of a volume: its smallest to its largest value, widened to take in 0 when every value is the same,
    /// so a volume of zeros (every unit dead) is drawn dark, as zero is in a live volume after a ReLU, not mid-colour.
    /// </summary>
    public static (float Low, float High) ZeroDark((float Low, float High) range)
    {
        if (range.High > range.Low) return range;
        float v = range.Low;
        return v > 0 ? (0f, v) : v < 0 ? (v, 0f) : (0f, 1f);
    }

    // One range for the whole volume, so a channel that barely fires looks dark next to one that fires strongly.
    private static void DrawSection(SKBitmap bitmap, FeatureMap m, int x0, int y0, int width, int height)
    {
        var g = GridShape.ForCount(m.Channels);
        int s = Scale(m), plane = m.Height * m.Width;
        for (int y = y0; y < y0 + height; y++)
            for (int x = x0; x < x0 + width; x++) bitmap.SetPixel(x, y, Drawing.Gap);
        var (low, high) = ZeroDark(Drawing.Range(m.Values.Span));
        Func<float, SKColor> colour = m.Label == "input" ? Drawing.Gray : Drawing.Viridis;
        for (int c = 0; c < m.Channels; c++)
        {
            int x = x0 + Gap + (c % g.Columns) * (m.Width * s + Gap), y = y0 + Gap + (c / g.Columns) * (m.Height * s + Gap);
            Drawing.Plane(bitmap, m.Values.Span.Slice(c * plane, plane), m.Height, m.Width, x, y, s, low, high, colour);
        }
    }
}
