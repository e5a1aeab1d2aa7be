using SkiaSharp;

namespace Dendrite;

/// <summary>
/// Image files (PNG, JPEG, BMP, GIF, WebP) decoded by SkiaSharp into what a model takes: composited over black,
/// resized to [C, H, W] (bilinear with mipmaps; optionally centre-cropped to the target's aspect ratio first), grey
/// (ITU-R 601 luma; grey pixels stay exact) or RGB planes, scaled to [0, 1] as the IDX loader scales pixels. The size in
/// the header is checked before decoding, so a lying header cannot ask for gigabytes, and a decode that stops early
/// (a truncated file: SkiaSharp's IncompleteInput) is an error naming the file, never a half-black image.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Larger images are refused before decoding.</summary>
    public const long MaxPixels = 64L << 20;

    /// <summary>The file name endings read as images.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>The width, height and whether the file stores grey pixels, from its header only.</summary>
    /// <exception cref="InvalidDataException">Not an image SkiaSharp reads, or larger than <see cref="MaxPixels"/>.</exception>
    public static (int Width, int Height, bool Grey) ReadHeader(string path)
    {
        using var stream = Open(path);
        return ReadHeader(stream, path);
    }

    /// <summary>As <see cref="ReadHeader(string)"/>, for an image in <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">Not an image SkiaSharp reads, or larger than <see cref="MaxPixels"/>.</exception>
    public static (int Width, int Height, bool Grey) ReadHeader(Stream stream, string name)
    {
        using var codec = Codec(stream, name);
        return (codec.Info.Width, codec.Info.Height, codec.Info.ColorType is SKColorType.Gray8);
    }

    /// <summary>Decodes the whole file; the caller disposes the bitmap.</summary>
    /// <exception cref="InvalidDataException">Not an image, too large, or truncated or damaged (the decode did not complete).</exception>
    public static SKBitmap Decode(string path)
    {
        using var stream = Open(path);
        using var codec = Codec(stream, path);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                ? $"{path}: the {codec.EncodedFormat} data is truncated"
                : $"{path}: the {codec.EncodedFormat} data cannot be decoded ({result})");
        }
        return bitmap;
    }

    /// <summary>
    /// Decodes <paramref name="path"/> into <paramref name="values"/> as [channels, height, width] in [0, 1]
    /// (<paramref name="invert"/>: 1 - v), centre-cropping to the target's aspect ratio first when <paramref name="crop"/>.
    /// </summary>
    public static void Load(string path, Span<float> values, int channels, int height, int width, bool crop = false, bool invert = false)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), "1 (grey) or 3 (RGB) channels");
        using var bitmap = Decode(path);
        using var image = SKImage.FromBitmap(bitmap);
        var source = new SKRect(0, 0, bitmap.Width, bitmap.Height);
        if (crop)
        {
            // The largest centred window of the target's aspect ratio.
            float scale = Math.Min(bitmap.Width / (float)width, bitmap.Height / (float)height);
            float cw = width * scale, ch = height * scale;
            source = SKRect.Create((bitmap.Width - cw) / 2, (bitmap.Height - ch) / 2, cw, ch);
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var target = new SKBitmap(info);
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.Black);
            canvas.DrawImage(image, source, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        var rgba = target.GetPixelSpan();
        int plane = height * width;
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
    }

    private static FileStream Open(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"{path}: image not found", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static SKCodec Codec(Stream stream, string path)
    {
        var codec = SKCodec.Create(stream, out var result)
            ?? throw new InvalidDataException($"{path}: not an image SkiaSharp can decode ({result})");
        var size = codec.Info;
        if (size.Width <= 0 || size.Height <= 0 || (long)size.Width * size.Height > MaxPixels)
        {
            codec.Dispose();
            throw new InvalidDataException($"{path}: {size.Width}x{size.Height} pixels is more than the {MaxPixels} this reads");
        }
        return codec;
    }

    // Grey pixels stay exactly as they are; colour uses the ITU-R 601 weights.
    private static float Grey(byte r, byte g, byte b) => r == g && g == b ? r : MathF.Round(0.299f * r + 0.587f * g + 0.114f * b);

    private static float Scale(float v, bool invert) => invert ? (255f - v) * (1f / 255f) : v * (1f / 255f);
}
