namespace Dendrite.Tests.Data;

public class ImageAugmentationTests
{
    private static float[] Ramp(int n) => [.. Enumerable.Range(1, n).Select(v => (float)v)];

    [Fact]
    public void Shift_moves_the_image_and_fills_with_zeros()
    {
        var dst = new float[9];
        ImageAugmentation.Transform(Ramp(9), dst, 1, 3, 3, dy: 1, dx: -1, mirror: false);
        // dst[y, x] = src[y - 1, x + 1]
        Assert.Equal([0f, 0, 0, 2, 3, 0, 5, 6, 0], dst);
    }

    [Fact]
    public void Flip_mirrors_each_row_of_each_channel()
    {
        var dst = new float[12];
        ImageAugmentation.Transform(Ramp(12), dst, 2, 2, 3, 0, 0, mirror: true);
        Assert.Equal([3f, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10], dst);
    }

    [Fact]
    public void Apply_is_seeded_and_keeps_the_shift_within_bounds()
    {
        var aug = new ImageAugmentation([1, 8, 8], maxShift: 2, flip: true);
        var seen = new HashSet<string>();
        var a = new Rng(3);
        var b = new Rng(3);
        for (int i = 0; i < 200; i++)
        {
            var x = Ramp(64);
            var y = Ramp(64);
            aug.Apply(x, a);
            aug.Apply(y, b);
            Assert.Equal(x, y);
            // Whatever the draw, the image's centre 4x4 holds original pixels: a shift of at most 2 never empties it.
            Assert.All(new[] { 27, 28, 35, 36 }, k => Assert.NotEqual(0f, x[k]));
            seen.Add(string.Join(",", x));
        }
        Assert.True(seen.Count > 30, $"only {seen.Count} different images out of 200 draws"); // 5 x 5 shifts x 2 mirrors = 50
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData("shift", "shift")]
    [InlineData("flip", "flip")]
    [InlineData("Shift+Flip", "shift+flip")]
    [InlineData("shift=3+flip", "shift=3+flip")]
    public void Parse_reads_the_command_line_forms(string text, string? expected)
    {
        Assert.Equal(expected, ImageAugmentation.Parse(text, [1, 28, 28])?.ToString());
    }

    [Theory]
    [InlineData("rotate", new[] { 1, 28, 28 }, "'rotate' is not one of none, shift, shift=N (pixels), flip, jitter, jitter=X (0 < X < 1), or a '+' of them such as shift+flip")]
    [InlineData("shift", new[] { 784 }, "augmentation needs images [C, H, W], the data has samples [784]")]
    [InlineData("shift=28", new[] { 1, 28, 28 }, "shift 28 must be between 0 and the image size less one")]
    public void Parse_rejects_what_it_cannot_do(string text, int[] shape, string message)
    {
        var e = Assert.Throws<FormatException>(() => ImageAugmentation.Parse(text, shape));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_shift_brings_in_the_fill_value()
    {
        // 3x3 ramp 1..9 shifted down by one: the top row is new, filled with the normalised black.
        var dst = new float[9];
        ImageAugmentation.Transform(Ramp(9), dst, 1, 3, 3, dy: 1, dx: 0, mirror: false, fill: -0.8f);
        Assert.Equal([-0.8f, -0.8f, -0.8f, 1, 2, 3, 4, 5, 6], dst);
    }
}
