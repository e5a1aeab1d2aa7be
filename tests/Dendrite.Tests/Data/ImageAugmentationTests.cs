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
    [InlineData("shift+flip+erase", "shift+flip+erase")]
    [InlineData("erase=0.25", "erase=0.25")]
    public void Parse_reads_the_command_line_forms(string text, string? expected)
    {
        Assert.Equal(expected, ImageAugmentation.Parse(text, [1, 28, 28])?.ToString());
    }

    [Theory]
    [InlineData("rotate", new[] { 1, 28, 28 }, "'rotate' is not one of none, shift, shift=N (pixels), flip, jitter, jitter=X (0 < X < 1), erase, erase=P (0 < P <= 1), or a '+' of them such as shift+flip")]
    [InlineData("erase=0", new[] { 1, 28, 28 }, "'erase=0' is not one of none, shift, shift=N (pixels), flip, jitter, jitter=X (0 < X < 1), erase, erase=P (0 < P <= 1), or a '+' of them such as shift+flip")]
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

    [Fact]
    public void Erase_zeroes_one_rectangle_of_2_to_33_percent_in_every_channel()
    {
        var augment = ImageAugmentation.Parse("erase=1", [2, 10, 10])!;
        var rng = new Rng(5);
        var sizes = new HashSet<int>();
        for (int draw = 0; draw < 100; draw++)
        {
            var image = Enumerable.Repeat(1f, 200).ToArray();
            augment.Apply(image, rng);
            var zeros = Enumerable.Range(0, 100).Where(i => image[i] == 0).ToArray();
            // The same pixels in both channels, and they form one filled rectangle.
            Assert.Equal(zeros, Enumerable.Range(0, 100).Where(i => image[100 + i] == 0).ToArray());
            Assert.InRange(zeros.Length, 1, 33 + 6); // 2-33% of the area, the sides rounded
            int top = zeros.Min() / 10, bottom = zeros.Max() / 10, left = zeros.Min(i => i % 10), right = zeros.Max(i => i % 10);
            Assert.Equal((bottom - top + 1) * (right - left + 1), zeros.Length);
            sizes.Add(zeros.Length);
        }
        Assert.True(sizes.Count > 5, $"only {sizes.Count} different rectangle sizes in 100 draws");
    }

    [Fact]
    public void Erase_with_probability_one_half_leaves_about_half_the_images_whole()
    {
        var augment = ImageAugmentation.Parse("erase", [1, 8, 8])!;
        var rng = new Rng(6);
        int whole = 0;
        for (int draw = 0; draw < 400; draw++)
        {
            var image = Enumerable.Repeat(1f, 64).ToArray();
            augment.Apply(image, rng);
            if (image.All(v => v == 1f)) whole++;
        }
        Assert.InRange(whole, 160, 240);
    }
}
