namespace Dendrite.Tests;

/// <summary>
/// A small learnable image set: 28x28 grey images of 10 classes, class c a bright horizontal band on rows
/// 2c + 4 and 2c + 5 over dim noise. A linear model separates it in a few steps; chance is 10%.
/// </summary>
internal static class Synthetic
{
    public const int Side = 28;
    public const int Classes = 10;

    /// <summary>Pixels (0..255) and labels of <paramref name="count"/> images.</summary>
    public static (byte[] Pixels, byte[] Labels) ImageBytes(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var pixels = new byte[count * Side * Side];
        var labels = new byte[count];
        for (int n = 0; n < count; n++)
        {
            int c = rng.NextInt(Classes);
            labels[n] = (byte)c;
            var image = pixels.AsSpan(n * Side * Side, Side * Side);
            for (int i = 0; i < image.Length; i++) image[i] = (byte)rng.NextInt(60);
            for (int row = 2 * c + 4; row < 2 * c + 6; row++)
                for (int col = 2; col < Side - 2; col++) image[row * Side + col] = (byte)(180 + rng.NextInt(76));
        }
        return (pixels, labels);
    }

    public static Dataset Dataset(int count, ulong seed)
    {
        var (pixels, labels) = ImageBytes(count, seed);
        return new Dataset(pixels.Select(p => p / 255f).ToArray(), [1, Side, Side], labels.Select(l => (int)l).ToArray(), Classes);
    }

    public static (Dataset Train, Dataset Test) Images(int train, int test, ulong seed) =>
        (Dataset(train, seed), Dataset(test, seed + 1000));
}
