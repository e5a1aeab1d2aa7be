using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>What the pictures share: colours, the text font, and drawing a plane of values as enlarged pixels.</summary>
public static class Drawing
{
    /// <summary>The colour every picture starts from: white.</summary>
    public static readonly SKColor Background = SKColors.White;
    /// <summary>Between tiles: white (a grey gap would match the middle value of a filter scaled to its range).</summary>
    public static readonly SKColor Gap = SKColors.White;
    /// <summary>Text colour: near-black, #202020.</summary>
    public static readonly SKColor Ink = new(0x20, 0x20, 0x20);

    /// <summary>The default sans-serif face (DejaVu Sans on Debian, found through fontconfig).</summary>
    public static SKFont Font(float size) => new(SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default, size);

    /// <summary>A <paramref name="width"/> x <paramref name="height"/> RGBA bitmap (8 bits a channel, premultiplied alpha) filled with <paramref name="background"/>.</summary>
    public static SKBitmap NewBitmap(int width, int height, SKColor background)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(background);
        return bitmap;
    }

    /// <summary>Draws anti-aliased text, left-aligned at <paramref name="x"/>, sitting on <paramref name="baseline"/>.</summary>
    public static void Text(SKCanvas canvas, string text, float x, float baseline, SKFont font, SKColor color)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawText(text, x, baseline, SKTextAlign.Left, font, paint);
    }

    /// <summary>
    /// Draws plane [h, w] with its top-left corner at (x, y), each value a scale x scale square, mapped linearly
    /// from [low, high] to [0, 1] and then to a colour. A constant plane (high == low) comes out at the middle colour.
    /// </summary>
    public static void Plane(SKBitmap target, ReadOnlySpan<float> plane, int h, int w, int x, int y, int scale,
        float low, float high, Func<float, SKColor> color)
    {
        float range = high - low;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                float t = range > 0 ? (plane[r * w + c] - low) / range : 0.5f;
                var rgb = color(Math.Clamp(t, 0f, 1f));
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++) target.SetPixel(x + c * scale + dx, y + r * scale + dy, rgb);
            }
    }

    /// <summary>Black at 0 to white at 1; <paramref name="t"/> must lie in [0, 1] (it is not clamped).</summary>
    public static SKColor Gray(float t)
    {
        byte v = (byte)MathF.Round(t * 255f);
        return new SKColor(v, v, v);
    }

    private static readonly ScottPlot.IColormap ViridisMap = new ScottPlot.Colormaps.Viridis();

    /// <summary>Viridis: dark blue at 0 through green to yellow at 1, readable in grey print and by colour-blind readers.</summary>
    public static SKColor Viridis(float t)
    {
        var c = ViridisMap.GetColor(t);
        return new SKColor(c.R, c.G, c.B);
    }

    /// <summary>
    /// Draws a chart into a region of <paramref name="canvas"/>. ScottPlot clears the whole canvas it renders on, so each
    /// chart is rendered on its own bitmap first.
    /// </summary>
    public static void Chart(SKCanvas canvas, ScottPlot.Plot plot, int x, int y, int width, int height)
    {
        using var panel = NewBitmap(width, height, Background);
        using (var panelCanvas = new SKCanvas(panel))
        {
            plot.Render(panelCanvas, width, height);
            panelCanvas.Flush();
        }
        canvas.DrawBitmap(panel, x, y);
    }

    /// <summary>Smallest and largest value.</summary>
    public static (float Low, float High) Range(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return (0, 0);
        return (System.Numerics.Tensors.TensorPrimitives.Min(values), System.Numerics.Tensors.TensorPrimitives.Max(values));
    }
}
