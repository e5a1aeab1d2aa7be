using SkiaSharp;

namespace Dendrite.Tests.Visualization;

/// <summary>Reading pictures back for content checks: colours, regions, near-colour counts.</summary>
internal static class Picture
{
    public static SKBitmap Decode(byte[] png) => SKBitmap.Decode(png) ?? throw new InvalidDataException("not a decodable image");

    public static SKBitmap Load(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        return SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path}: not a decodable image");
    }

    /// <summary>Distinct colours in a region (the whole picture by default).</summary>
    public static int DistinctColours(SKBitmap b, SKRectI? region = null)
    {
        var r = region ?? new SKRectI(0, 0, b.Width, b.Height);
        var seen = new HashSet<uint>();
        for (int y = r.Top; y < r.Bottom; y++)
            for (int x = r.Left; x < r.Right; x++) seen.Add((uint)b.GetPixel(x, y));
        return seen.Count;
    }

    /// <summary>Pixels in a region within <paramref name="tolerance"/> of a colour on every channel.</summary>
    public static int CountNear(SKBitmap b, SKRectI r, SKColor colour, int tolerance = 40)
    {
        int n = 0;
        for (int y = r.Top; y < r.Bottom; y++)
            for (int x = r.Left; x < r.Right; x++)
            {
                var p = b.GetPixel(x, y);
                if (Math.Abs(p.Red - colour.Red) <= tolerance && Math.Abs(p.Green - colour.Green) <= tolerance && Math.Abs(p.Blue - colour.Blue) <= tolerance) n++;
            }
        return n;
    }

    /// <summary>Fails on an all-black, all-white or otherwise near-constant picture.</summary>
    public static void AssertHasContent(SKBitmap b, int minColours = 8)
    {
        int colours = DistinctColours(b);
        Assert.True(colours >= minColours, $"{b.Width} x {b.Height} picture has only {colours} distinct colours");
    }

    public static void AssertPixel(SKBitmap b, int x, int y, SKColor expected, int tolerance = 0)
    {
        var p = b.GetPixel(x, y);
        Assert.True(Math.Abs(p.Red - expected.Red) <= tolerance && Math.Abs(p.Green - expected.Green) <= tolerance && Math.Abs(p.Blue - expected.Blue) <= tolerance,
            $"pixel ({x}, {y}) is {p}, expected {expected}");
    }
}
