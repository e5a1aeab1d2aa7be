namespace Dendrite.Cli;

/// <summary>
/// Turns an image file into what a model takes, through <see cref="ImageDecoder"/>: composited over black
/// (Fashion-MNIST's background), resized to the model's [C, H, W], grey (C = 1) or RGB planes (C = 3), scaled to [0, 1];
/// a truncated or damaged file, or one whose header claims too many pixels, is refused naming it.
/// </summary>
public static class ImageInput
{
    /// <summary>Larger images are refused before decoding, so a hostile header cannot ask for gigabytes.</summary>
    public const long MaxPixels = ImageDecoder.MaxPixels;

    public static float[] Load(string path, int[] inputShape, bool invert = false)
    {
        var (channels, height, width) = inputShape switch
        {
            [int c, int h, int w] when c is 1 or 3 => (c, h, w),
            [int h, int w] => (1, h, w),
            _ => throw new UsageException($"the model takes {Tensor.Format(inputShape)} inputs, not images [1 or 3, H, W]"),
        };
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image not found", path);
        var values = new float[channels * height * width];
        ImageDecoder.Load(path, values, channels, height, width, invert: invert);
        return values;
    }
}
