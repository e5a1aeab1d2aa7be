using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>The wrong predictions the network was surest of: where it learned something other than what was meant.</summary>
public static class ConfidentMistakes
{
    /// <summary>
    /// Layout in pixels: each image pixel is a <c>TileScale</c> x <c>TileScale</c> square; <c>Caption</c> pixels of text
    /// under each image; <c>Gap</c> pixels between and around tiles; at most <c>Columns</c> tiles per row.
    /// </summary>
    public const int TileScale = 3, Caption = 34, Gap = 8, Columns = 8;

    /// <summary>Up to <paramref name="count"/> mistakes, most confident first (ties by index).</summary>
    public static IReadOnlyList<Mistake> Find(Predictions p, int count)
    {
        var mistakes = new List<Mistake>();
        for (int i = 0; i < p.Data.Count; i++)
        {
            int predicted = p.Predicted(i);
            if (predicted != p.Data.Labels[i]) mistakes.Add(new Mistake(i, p.Data.Labels[i], predicted, p.Row(i)[predicted]));
        }
        return [.. mistakes.OrderByDescending(m => m.Confidence).ThenBy(m => m.Index).Take(count)];
    }

    /// <summary>
    /// Each mistake's image with "#index: predicted NN%" (in red) and "true: label" under it, class names taken from the
    /// data set when it has them. Tiles are max(3 W, 128) pixels wide, images centred in them, in rows of up to
    /// <see cref="Columns"/>. Images, grey or RGB, are drawn as their original pixels in [0, 1].
    /// </summary>
    /// <param name="data">The data set the mistakes index into; its samples must be images [1 or 3, H, W].</param>
    /// <param name="mistakes">What to draw, in order, e.g. from <see cref="Find"/>.</param>
    /// <param name="normalization">How the samples were normalised, undone for drawing; none when null.</param>
    /// <exception cref="ArgumentException"><paramref name="mistakes"/> is empty.</exception>
    /// <exception cref="ShapeException">The samples are not images [1 or 3, H, W].</exception>
    public static SKBitmap Render(Dataset data, IReadOnlyList<Mistake> mistakes, Normalization? normalization = null)
    {
        if (mistakes.Count == 0) throw new ArgumentException("no mistakes to draw", nameof(mistakes));
        var shape = data.SampleShape;
        if (shape.Length != 3 || shape[0] is not (1 or 3))
            throw new ShapeException($"mistakes are drawn as images [1 or 3, H, W], samples are {Tensor.Format(shape)}");
        int c = shape[0], h = shape[1], w = shape[2], plane = h * w;
        var n = normalization ?? Normalization.None; // drawn as the original pixels in [0, 1]
        using var font = Drawing.Font(11);
        int tileW = Math.Max(w * TileScale, 128), columns = Math.Min(Columns, mistakes.Count), rows = (mistakes.Count + columns - 1) / columns;
        var bitmap = Drawing.NewBitmap(Gap + columns * (tileW + Gap), Gap + rows * (h * TileScale + Caption + Gap), Drawing.Background);
        using var canvas = new SKCanvas(bitmap);
        string Name(int label) => data.ClassNames is { } n ? n[label] : label.ToString();
        for (int k = 0; k < mistakes.Count; k++)
        {
            var m = mistakes[k];
            int x = Gap + (k % columns) * (tileW + Gap), y = Gap + (k / columns) * (h * TileScale + Caption + Gap);
            var sample = new float[data.SampleSize];
            data.ReadSample(m.Index, sample); // a streamed set's sample is read from disk
            int ix = x + (tileW - w * TileScale) / 2;
            canvas.Flush();
            if (c == 1) Drawing.Plane(bitmap, sample, h, w, ix, y, TileScale, (0f - n.MeanOf(0)) / n.StdOf(0), (1f - n.MeanOf(0)) / n.StdOf(0), Drawing.Gray);
            else
                for (int r = 0; r < h; r++)
                    for (int col = 0; col < w; col++)
                    {
                        byte B(int ch) => (byte)Math.Clamp(MathF.Round((sample[ch * plane + r * w + col] * n.StdOf(ch) + n.MeanOf(ch)) * 255f), 0, 255);
                        var rgb = new SKColor(B(0), B(1), B(2));
                        for (int dy = 0; dy < TileScale; dy++)
                            for (int dx = 0; dx < TileScale; dx++) bitmap.SetPixel(ix + col * TileScale + dx, y + r * TileScale + dy, rgb);
                    }
            int ty = y + h * TileScale;
            Drawing.Text(canvas, $"#{m.Index}: {Name(m.Predicted)} {m.Confidence * 100:F0}%", x, ty + 14, font, new SKColor(0xB0, 0x20, 0x20));
            Drawing.Text(canvas, $"true: {Name(m.Label)}", x, ty + 28, font, Drawing.Ink);
        }
        canvas.Flush();
        return bitmap;
    }
}
