namespace Dendrite.Tests.Data;

/// <summary>GIF, the one listed format SkiaSharp cannot write: files encoded here, decoded by the image reader.</summary>
public class GifTests
{
    // A 256-colour GIF89a: palette entry i is (i, 255 - i, (i * 7) & 255); pixels index the palette. The LZW stream sends
    // every pixel as a literal 9-bit code with a clear code every 250 pixels, so the table never needs a wider code.
    internal static byte[] Gif(int width, int height, Func<int, int, byte> pixel)
    {
        var bytes = new List<byte>("GIF89a"u8.ToArray());
        void Short(int v) => bytes.AddRange([(byte)v, (byte)(v >> 8)]);
        Short(width);
        Short(height);
        bytes.AddRange([0xF7, 0, 0]); // a global table of 2^(7+1) colours
        for (int i = 0; i < 256; i++) bytes.AddRange([(byte)i, (byte)(255 - i), (byte)(i * 7)]);
        bytes.Add(0x2C);
        Short(0);
        Short(0);
        Short(width);
        Short(height);
        bytes.Add(0);
        bytes.Add(8); // LZW minimum code size
        var codes = new List<int> { 256 };
        for (int y = 0, n = 0; y < height; y++)
            for (int x = 0; x < width; x++, n++)
            {
                if (n > 0 && n % 250 == 0) codes.Add(256);
                codes.Add(pixel(x, y));
            }
        codes.Add(257);
        var packed = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (int code in codes)
        {
            buffer |= code << bits;
            bits += 9;
            for (; bits >= 8; bits -= 8, buffer >>= 8) packed.Add((byte)buffer);
        }
        if (bits > 0) packed.Add((byte)buffer);
        for (int at = 0; at < packed.Count; at += 255)
        {
            int n = Math.Min(255, packed.Count - at);
            bytes.Add((byte)n);
            bytes.AddRange(packed.GetRange(at, n));
        }
        bytes.AddRange([0, 0x3B]);
        return [.. bytes];
    }

    private static int Byte(float v) => (int)MathF.Round(v * 255f);

    [Fact]
    public void A_gif_decodes_to_its_palette_colours_exactly()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("stripes.gif", Gif(20, 15, (x, y) => (byte)(x * 12 + y)));
        Assert.Equal((20, 15, false), ImageDecoder.ReadHeader(path));
        var values = new float[3 * 15 * 20];
        ImageDecoder.Load(path, values, 3, 15, 20);
        for (int y = 0; y < 15; y++)
            for (int x = 0; x < 20; x++)
            {
                int i = x * 12 + y, at = y * 20 + x;
                Assert.Equal(i, Byte(values[at]));
                Assert.Equal(255 - i, Byte(values[300 + at]));
                Assert.Equal((byte)(i * 7), Byte(values[600 + at]));
            }
    }

    [Fact]
    public void A_header_reads_from_a_stream_as_from_a_file()
    {
        using var dir = new TempDirectory();
        var bytes = Gif(30, 7, (x, y) => 9);
        string path = dir.Write("h.gif", bytes);
        Assert.Equal(ImageDecoder.ReadHeader(path), ImageDecoder.ReadHeader(new MemoryStream(bytes), "upload"));
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.ReadHeader(new MemoryStream([1, 2, 3, 4]), "upload"));
        Assert.StartsWith("upload: not an image", e.Message);
    }

    [Fact]
    public void A_truncated_gif_names_the_file()
    {
        using var dir = new TempDirectory();
        var whole = Gif(40, 40, (x, y) => (byte)(x ^ y));
        string path = dir.Write("cut.gif", whole[..(whole.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Load(path, new float[1600], 1, 40, 40));
        Assert.StartsWith(path, e.Message);
    }
}
