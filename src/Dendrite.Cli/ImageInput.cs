using SkiaSharp;

namespace Dendrite.Cli;

/// <summary>
/// Turns a PNG or JPEG file into what a model takes: decoded by SkiaSharp, composited over black (Fashion-MNIST's
/// background), resized to the model's [C, H, W], converted to grey (C = 1, ITU-R 601 luma) or kept as RGB planes
/// (C = 3), and scaled to [0, 1] exactly as the IDX loader scales pixels.
/// </summary>
public static class ImageInput
{
    /// <summary>Larger images are refused before decoding, so a hostile header cannot ask for gigabytes.</summary>
    public const long MaxPixels = 64L << 20;

    public static float[] Load(string path, int[] inputShape, bool invert = false)
    {
        var (channels, height, width) = inputShape switch
        {
            [int c, int h, int w] when c is 1 or 3 => (c, h, w),
            [int h, int w] => (1, h, w),
            _ => throw new UsageException($"the model takes {Tensor.Format(inputShape)} inputs, not images [1 or 3, H, W]"),
        };
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image not found", path);
        using var image = Decode(path);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var target = new SKBitmap(info);
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.Black);
            canvas.DrawImage(image, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        var rgba = target.GetPixelSpan();
        int plane = height * width;
        var values = new float[channels * plane];
        for (int i = 0; i < plane; i++)
        {
            byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
            if (channels == 1) values[i] = Scale(Grey(r, g, b), invert);
            else
            {
                values[i] = Scale(r, invert);
                values[plane + i] = Scale(g, invert);
                values[2 * plane + i] = Scale(b, invert);
            }
        }
        return values;
    }

    private static SKImage Decode(string path)
    {
        using var stream = File.OpenRead(path);
        using var codec = SKCodec.Create(stream, out var result)
            ?? throw new InvalidDataException($"{path}: not an image SkiaSharp can decode ({result})");
        var size = codec.Info;
        if (size.Width <= 0 || size.Height <= 0 || (long)size.Width * size.Height > MaxPixels)
            throw new InvalidDataException($"{path}: {size.Width}x{size.Height} pixels is more than the {MaxPixels} this reads");
        using var bitmap = SKBitmap.Decode(codec)
            ?? throw new InvalidDataException($"{path}: the {codec.EncodedFormat} data cannot be decoded");
        return SKImage.FromBitmap(bitmap);
    }

    // Grey pixels stay exactly as they are; colour uses the ITU-R 601 weights.
    private static float Grey(byte r, byte g, byte b) => r == g && g == b ? r : MathF.Round(0.299f * r + 0.587f * g + 0.114f * b);

    private static float Scale(float v, bool invert) => invert ? (255f - v) * (1f / 255f) : v * (1f / 255f);
}
