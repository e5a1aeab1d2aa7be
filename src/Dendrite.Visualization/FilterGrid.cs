using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// The filters of a convolution, weights [out, in, kh, kw], as a grid of enlarged tiles: the AlexNet first-layer figure
/// for any model. Each filter is normalised to its own range (its smallest weight black, its largest white), so the
/// pattern shows whatever its scale. With 1 or 3 input channels each filter is one tile (grey, or colour with the
/// channels as red, green, blue) in a near-square grid; otherwise each filter is a row with one tile per input channel.
/// </summary>
public static class FilterGrid
{
    /// <summary>White pixels between and around tiles.</summary>
    public const int Gap = 2;

    /// <summary>Pixels per weight: tiles of about 56 px when one tile is a filter, 24 px when a filter is a row of tiles.</summary>
    public static int Scale(ReadOnlySpan<int> shape)
    {
        CheckShape(shape);
        int target = shape[1] is 1 or 3 ? 56 : 24;
        return Math.Max(1, target / Math.Max(shape[2], shape[3]));
    }

    /// <summary>Tiles: one per filter in a near-square grid (1 or 3 input channels), else out rows by in columns.</summary>
    public static GridShape Grid(ReadOnlySpan<int> shape)
    {
        CheckShape(shape);
        return shape[1] is 1 or 3 ? GridShape.ForCount(shape[0]) : new GridShape(shape[0], shape[1]);
    }

    /// <summary>The picture's size in pixels for weights of this shape at this scale.</summary>
    public static (int Width, int Height) Size(ReadOnlySpan<int> shape, int scale)
    {
        var g = Grid(shape);
        return (GridShape.Extent(g.Columns, shape[3] * scale, Gap), GridShape.Extent(g.Rows, shape[2] * scale, Gap));
    }

    /// <summary>
    /// Draws the filters as <see cref="Grid"/> lays them out, <see cref="Size"/> pixels in all; each filter is scaled
    /// to its own range.
    /// </summary>
    /// <param name="weight">Filters [out, in, kh, kw].</param>
    /// <param name="scale">Pixels per weight; <see cref="Scale"/> chooses when 0 or less.</param>
    /// <exception cref="ShapeException"><paramref name="weight"/> is not [out, in, kh, kw] with every size positive.</exception>
    public static SKBitmap Render(Tensor weight, int scale = 0)
    {
        var shape = weight.Shape;
        CheckShape(shape);
        if (scale <= 0) scale = Scale(shape);
        int outs = shape[0], ins = shape[1], kh = shape[2], kw = shape[3], plane = kh * kw, size = ins * plane;
        var grid = Grid(shape);
        var (width, height) = Size(shape, scale);
        var bitmap = Drawing.NewBitmap(width, height, Drawing.Gap);
        var w = weight.Span;
        for (int o = 0; o < outs; o++)
        {
            var filter = w.Slice(o * size, size);
            var (low, high) = Drawing.Range(filter);
            if (ins is 1 or 3)
            {
                int x = Gap + (o % grid.Columns) * (kw * scale + Gap), y = Gap + (o / grid.Columns) * (kh * scale + Gap);
                if (ins == 1) Drawing.Plane(bitmap, filter, kh, kw, x, y, scale, low, high, Drawing.Gray);
                else Colour(bitmap, filter, kh, kw, x, y, scale, low, high);
            }
            else
                for (int c = 0; c < ins; c++)
                    Drawing.Plane(bitmap, filter.Slice(c * plane, plane), kh, kw,
                        Gap + c * (kw * scale + Gap), Gap + o * (kh * scale + Gap), scale, low, high, Drawing.Gray);
        }
        return bitmap;
    }

    /// <summary>
    /// The first learnable layer's weights as filters: a convolution's [out, in, kh, kw] as they are, or a dense layer
    /// over an image [C, H, W] as [units, C, H, W] (each unit's weights laid out like the image it reads), at most
    /// <paramref name="limit"/> of them. Null when the first learnable layer is neither.
    /// </summary>
    public static (Layer Layer, Tensor Weight)? FirstLayer(Sequential net, int limit = 64)
    {
        // The first layer with weights of its own, inside a block if the network starts with one.
        var layer = net.Walk().FirstOrDefault(l => l.Children.Count == 0 && l.Parameters.Count > 0);
        if (layer is null) return null;
        if (layer is Conv2d conv) return (layer, conv.Weight.Value);
        if (layer is Dense dense && net.InputShape.Length == 3 && dense.Inputs == Tensor.Volume(net.InputShape))
        {
            int units = Math.Min(dense.Units, limit);
            var w = dense.Weight.Value;
            var view = new Tensor(w.Span[..(units * dense.Inputs)].ToArray(), [units, .. net.InputShape]);
            return (layer, view);
        }
        return null;
    }

    /// <summary>
    /// Top-level layer <paramref name="position"/> (1-based, as summary numbers them), or, when null, the first
    /// convolution anywhere in the network (blocks included).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is not a layer of the network.</exception>
    /// <exception cref="ShapeException">That layer is not a convolution, or the network has none.</exception>
    public static Conv2d Convolution(Sequential net, int? position)
    {
        if (position is { } p)
        {
            if (p < 1 || p > net.Layers.Count)
                throw new ArgumentOutOfRangeException(nameof(position), $"--layer {p}: the model has layers 1 to {net.Layers.Count}");
            var layer = net.Layers[p - 1];
            return layer as Conv2d
                ?? throw new ShapeException($"{layer.Label} is not a convolution (weights [out, in, kh, kw]); convolutions: {Convolutions(net)}");
        }
        return net.Walk().OfType<Conv2d>().FirstOrDefault()
            ?? throw new ShapeException($"the model {net.Spec} has no convolution layer to show filters of");
    }

    /// <summary>Whether the layer's weights are filters [out, in, kh, kw] (a <see cref="Conv2d"/>).</summary>
    public static bool IsConvolution(Layer layer) => layer is Conv2d;

    private static string Convolutions(Sequential net)
    {
        var list = net.Walk().Where(IsConvolution).Select(l => l.Label).ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    private static void Colour(SKBitmap bitmap, ReadOnlySpan<float> filter, int kh, int kw, int x, int y, int scale, float low, float high)
    {
        int plane = kh * kw;
        float range = high - low;
        for (int r = 0; r < kh; r++)
            for (int c = 0; c < kw; c++)
            {
                int i = r * kw + c;
                var rgb = new SKColor(Level(filter[i], low, range), Level(filter[plane + i], low, range), Level(filter[2 * plane + i], low, range));
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++) bitmap.SetPixel(x + c * scale + dx, y + r * scale + dy, rgb);
            }
    }

    private static byte Level(float v, float low, float range) => (byte)MathF.Round(255f * (range > 0 ? (v - low) / range : 0.5f));

    private static void CheckShape(ReadOnlySpan<int> shape)
    {
        if (shape.Length != 4 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0 || shape[3] <= 0)
            throw new ShapeException($"filters must be [out, in, kh, kw], got {Tensor.Format(shape)}");
    }
}
