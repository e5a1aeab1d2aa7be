using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>An image file as one network input [C, H, W]: resized, grey (C = 1) or RGB (C = 3), pixels scaled to [0, 1].</summary>
public static class ImageSample
{
    /// <summary>
    /// Reads <paramref name="path"/> and fits it to <paramref name="shape"/>. With <paramref name="invert"/> each pixel
    /// becomes 1 - v: Fashion-MNIST draws light clothes on black, most photos dark things on white.
    /// </summary>
    public static float[] Load(string path, ReadOnlySpan<int> shape, bool invert = false)
    {
        if (shape.Length != 3 || shape[0] is not (1 or 3))
            throw new ShapeException($"an image input needs a model that takes [1 or 3, H, W], this one takes {Tensor.Format(shape)}");
        int c = shape[0], h = shape[1], w = shape[2];
        using var original = Png.Load(path);
        using var resized = original.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new InvalidDataException($"{path}: could not resize {original.Width} x {original.Height} to {w} x {h}");
        var x = new float[c * h * w];
        for (int r = 0; r < h; r++)
            for (int col = 0; col < w; col++)
            {
                var p = resized.GetPixel(col, r);
                // A transparent pixel is background: 0 in the result, inverted or not.
                float a = p.Alpha / 255f;
                float R = p.Red / 255f * a, G = p.Green / 255f * a, B = p.Blue / 255f * a;
                if (c == 1) x[r * w + col] = Fit(0.299f * R + 0.587f * G + 0.114f * B, invert, a);
                else
                {
                    x[r * w + col] = Fit(R, invert, a);
                    x[h * w + r * w + col] = Fit(G, invert, a);
                    x[2 * h * w + r * w + col] = Fit(B, invert, a);
                }
            }
        return x;
    }

    private static float Fit(float v, bool invert, float alpha) => invert ? alpha - v : v;
}
