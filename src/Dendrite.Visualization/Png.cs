using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>Writes pictures as PNG files, bytes or data: URIs.</summary>
public static class Png
{
    /// <summary>The bitmap as the bytes of a PNG file.</summary>
    /// <exception cref="InvalidOperationException">SkiaSharp could not encode it.</exception>
    public static byte[] Encode(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"PNG encoding of a {bitmap.Width} x {bitmap.Height} picture failed");
        return data.ToArray();
    }

    /// <summary>Writes the file through a temporary name, so a reader never sees half a picture.</summary>
    public static void Save(SKBitmap bitmap, string path)
    {
        var png = Encode(bitmap);
        AtomicFile.Write(path, s => s.Write(png));
    }

    /// <summary>"data:image/png;base64,...": the PNG inline, for an img element's src.</summary>
    public static string DataUri(SKBitmap bitmap) => "data:image/png;base64," + Convert.ToBase64String(Encode(bitmap));

    /// <summary>Reads a PNG (or JPEG, ...) file.</summary>
    public static SKBitmap Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found");
        return SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path}: not an image SkiaSharp can decode (PNG, JPEG, GIF, BMP, WebP)");
    }
}
