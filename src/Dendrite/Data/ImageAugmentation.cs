using System.Globalization;

namespace Dendrite;

/// <summary>
/// Random label-preserving changes to training images [C, H, W], drawn per sample from the loader's seeded
/// generator: a shift by up to <see cref="MaxShift"/> pixels each way with zeros filling the border (the same as
/// padding by that much and cropping back at a random offset), a left-right mirror with probability 1/2, and a
/// brightness and contrast jitter (<see cref="Jitter"/>) that treats all channels alike, so colours keep their hue, and
/// random erasing (<see cref="Erase"/>, Zhong et al. 2017, torchvision's <c>RandomErasing</c>): a rectangle set to 0.
/// Plug <see cref="Apply"/> into <see cref="DataLoader.Augment"/>; evaluation never augments. An instance keeps one
/// scratch image, so it serves one loader (which calls it one sample at a time, on whichever thread prepares the batch).
/// </summary>
public sealed class ImageAugmentation
{
    private readonly float[] _scratch;
    private readonly float[] _fill, _pixelScale; // per channel
    private readonly int _c, _h, _w;

    /// <summary>Augmentation for images of one shape.</summary>
    /// <param name="sampleShape">[C, H, W] of every image.</param>
    /// <param name="maxShift">Largest shift in pixels each way; 0 for none.</param>
    /// <param name="flip">Mirror left-right with probability 1/2.</param>
    /// <exception cref="FormatException">The shape is not [C, H, W], or <paramref name="maxShift"/> is outside 0..min(H, W) - 1.</exception>
    public ImageAugmentation(int[] sampleShape, int maxShift, bool flip)
    {
        if (sampleShape.Length != 3)
            throw new FormatException($"augmentation needs images [C, H, W], the data has samples {Tensor.Format(sampleShape)}");
        if (maxShift < 0 || maxShift >= Math.Min(sampleShape[1], sampleShape[2]))
            throw new FormatException($"shift {maxShift} must be between 0 and the image size less one");
        (_c, _h, _w) = (sampleShape[0], sampleShape[1], sampleShape[2]);
        MaxShift = maxShift;
        Flip = flip;
        _scratch = new float[_c * _h * _w];
        _fill = new float[_c];
        _pixelScale = new float[_c];
        Array.Fill(_pixelScale, 1f);
    }

    /// <summary>The shift in pixels that "shift" without "=N" means.</summary>
    public const int DefaultShift = 2;

    /// <summary>Largest shift in pixels: dy and dx are each drawn uniformly from -MaxShift..MaxShift; 0 for none.</summary>
    public int MaxShift { get; }
    /// <summary>Whether each image is mirrored left-right with probability 1/2.</summary>
    public bool Flip { get; }

    /// <summary>
    /// Brightness and contrast jitter j (0 for none): each image becomes (x - m) * c + m + b, with m its mean, c drawn from
    /// [1 - j, 1 + j] and b from [-j, j] pixel units (times <see cref="PixelScale"/>), the same for every channel.
    /// </summary>
    public float Jitter { get; init; }

    /// <summary>
    /// One pixel unit (the range [0, 1]) as the network sees it: 1, or 1 / std once inputs are normalised. Setting it sets
    /// every channel's; <see cref="Normalize"/> sets one per channel.
    /// </summary>
    public float PixelScale
    {
        get => _pixelScale[0];
        set => Array.Fill(_pixelScale, value);
    }

    /// <summary>The jitter that "jitter" without "=X" means.</summary>
    public const float DefaultJitter = 0.2f;

    /// <summary>
    /// What a shift brings in at the border: a black pixel as the network sees it, 0, or (0 - mean) / std once inputs are
    /// normalised. Setting it sets every channel's; <see cref="Normalize"/> sets one per channel.
    /// </summary>
    public float Fill
    {
        get => _fill[0];
        set => Array.Fill(_fill, value);
    }

    /// <summary>
    /// Sets <see cref="Fill"/> and <see cref="PixelScale"/> of each channel for inputs normalised by
    /// <paramref name="normalization"/>: a black pixel (0 - mean) / std, and 1 / std per pixel unit.
    /// </summary>
    public void Normalize(Normalization normalization)
    {
        for (int c = 0; c < _c; c++)
        {
            _fill[c] = (0f - normalization.MeanOf(c)) / normalization.StdOf(c);
            _pixelScale[c] = 1f / normalization.StdOf(c);
        }
    }

    /// <summary>
    /// Random erasing's probability p (0 for none): with probability p a rectangle of 2% to 33% of the image, with a side
    /// ratio between 0.3 and 3.3 (drawn on a log scale), at a random place, is set to 0 in every channel: the data's
    /// mean once inputs are normalised, as torchvision's default erases normalised tensors. Applied after shift, flip
    /// and jitter; when ten draws of the rectangle do not fit in the image, nothing is erased.
    /// </summary>
    public float Erase { get; init; }

    /// <summary>The probability that "erase" without "=P" means.</summary>
    public const float DefaultErase = 0.5f;

    /// <summary>As the command line writes it: shift, shift=3, flip, shift+flip, shift+flip+erase.</summary>
    public override string ToString() =>
        string.Join("+", new[] { MaxShift == 0 ? null : MaxShift == DefaultShift ? "shift" : $"shift={MaxShift}", Flip ? "flip" : null,
            Jitter == 0 ? null : Jitter == DefaultJitter ? "jitter" : FormattableString.Invariant($"jitter={Jitter}"),
            Erase == 0 ? null : Erase == DefaultErase ? "erase" : FormattableString.Invariant($"erase={Erase}") }.OfType<string>());

    /// <summary>
    /// Reads "none", "shift", "shift=N", "flip", "jitter", "jitter=X" (0 &lt; X &lt; 1), "erase", "erase=P" (0 &lt; P &lt;= 1)
    /// or a '+'-joined combination such as "shift+flip+erase"; null for none.
    /// Throws <see cref="FormatException"/> naming the bad part.
    /// </summary>
    public static ImageAugmentation? Parse(string text, int[] sampleShape)
    {
        int shift = 0;
        bool flip = false;
        float jitter = 0, erase = 0;
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        foreach (var raw in text.Split('+'))
        {
            var part = raw.Trim().ToLowerInvariant();
            if (part == "flip") flip = true;
            else if (part == "shift") shift = DefaultShift;
            else if (part.StartsWith("shift=") && int.TryParse(part[6..], NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0) shift = s;
            else if (part == "jitter") jitter = DefaultJitter;
            else if (part.StartsWith("jitter=") && float.TryParse(part[7..], NumberStyles.Float, CultureInfo.InvariantCulture, out float j) && j is > 0 and < 1) jitter = j;
            else if (part == "erase") erase = DefaultErase;
            else if (part.StartsWith("erase=") && float.TryParse(part[6..], NumberStyles.Float, CultureInfo.InvariantCulture, out float p) && p is > 0 and <= 1) erase = p;
            else throw new FormatException($"'{raw.Trim()}' is not one of none, shift, shift=N (pixels), flip, jitter, jitter=X (0 < X < 1), erase, erase=P (0 < P <= 1), or a '+' of them such as shift+flip");
        }
        return new ImageAugmentation(sampleShape, shift, flip) { Jitter = jitter, Erase = erase };
    }

    /// <summary>Shifts and/or mirrors one image in place.</summary>
    public void Apply(Span<float> image, Rng rng)
    {
        int dy = MaxShift == 0 ? 0 : rng.NextInt(2 * MaxShift + 1) - MaxShift;
        int dx = MaxShift == 0 ? 0 : rng.NextInt(2 * MaxShift + 1) - MaxShift;
        bool mirror = Flip && rng.NextInt(2) == 1;
        if (dy != 0 || dx != 0 || mirror)
        {
            image[.._scratch.Length].CopyTo(_scratch);
            Transform(_scratch, image, _c, _h, _w, dy, dx, mirror, _fill);
        }
        if (Jitter > 0)
        {
            float c = 1f + Jitter * (2f * rng.NextFloat() - 1f), b = Jitter * (2f * rng.NextFloat() - 1f);
            Adjust(image[.._scratch.Length], c, b, _pixelScale);
        }
        if (Erase > 0 && rng.NextFloat() < Erase) EraseRectangle(image[.._scratch.Length], _c, _h, _w, rng);
    }

    /// <summary>Random erasing as <see cref="Erase"/> describes it, the rectangle drawn from <paramref name="rng"/>.</summary>
    public static void EraseRectangle(Span<float> image, int channels, int h, int w, Rng rng)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double area = h * w * (0.02 + 0.31 * rng.NextDouble());
            double ratio = Math.Exp(Math.Log(0.3) + (Math.Log(3.3) - Math.Log(0.3)) * rng.NextDouble());
            int eh = (int)Math.Round(Math.Sqrt(area * ratio)), ew = (int)Math.Round(Math.Sqrt(area / ratio));
            if (eh < 1 || ew < 1 || eh >= h || ew >= w) continue;
            int top = rng.NextInt(h - eh + 1), left = rng.NextInt(w - ew + 1);
            for (int c = 0; c < channels; c++)
                for (int y = top; y < top + eh; y++) image.Slice((c * h + y) * w + left, ew).Clear();
            return;
        }
    }

    /// <summary>x = (x - m) * <paramref name="contrast"/> + m + <paramref name="brightness"/>, m the image's mean.</summary>
    public static void Adjust(Span<float> image, float contrast, float brightness) => Adjust(image, contrast, brightness, [1f]);

    // As above with the brightness in pixel units, times each channel's scale (one scale for all, or one per channel). With
    // one scale per channel the contrast still turns about the mean of the normalised image.
    private static void Adjust(Span<float> image, float contrast, float brightness, ReadOnlySpan<float> scale)
    {
        double sum = 0;
        foreach (float v in image) sum += v;
        float m = (float)(sum / image.Length);
        int plane = image.Length / scale.Length;
        for (int i = 0; i < image.Length; i++) image[i] = (image[i] - m) * contrast + m + brightness * scale[i / plane];
    }

    /// <summary>dst[c, y, x] = src[c, y - dy, x' - dx] where x' = W-1-x when mirrored (else x), <paramref name="fill"/> outside the image.</summary>
    public static void Transform(ReadOnlySpan<float> src, Span<float> dst, int channels, int h, int w, int dy, int dx, bool mirror, float fill = 0f)
    {
        Span<float> fills = channels <= 64 ? stackalloc float[channels] : new float[channels];
        fills.Fill(fill);
        Transform(src, dst, channels, h, w, dy, dx, mirror, fills);
    }

    // As above with channel c's border filled with fill[c].
    private static void Transform(ReadOnlySpan<float> src, Span<float> dst, int channels, int h, int w, int dy, int dx, bool mirror, ReadOnlySpan<float> fills)
    {
        int x0 = Math.Max(0, dx), x1 = Math.Min(w, w + dx); // destination columns (before mirroring) that have a source
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
            {
                var row = dst.Slice((c * h + y) * w, w);
                int sy = y - dy;
                if (sy < 0 || sy >= h || x0 >= x1)
                {
                    row.Fill(fills[c]);
                    continue;
                }
                var line = src.Slice((c * h + sy) * w, w);
                row[..x0].Fill(fills[c]);
                row[x1..].Fill(fills[c]);
                line.Slice(x0 - dx, x1 - x0).CopyTo(row[x0..x1]);
                if (mirror) row.Reverse();
            }
    }
}
