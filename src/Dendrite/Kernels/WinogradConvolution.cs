namespace Dendrite.Kernels;

/// <summary>
/// Stride-1 convolution of [N, C, H, W] images with [O, C, r, r] filters (r = 5 or 3) by Winograd minimal filtering,
/// F(2x2, 5x5) or F(4x4, 3x3): every 6x6 input tile d and filter g meet as Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, which costs
/// 36 multiplies per tile instead of 100 (5x5) or 144 (3x3). Summed over channels, the elementwise products become
/// 36 GEMMs M_ξ [O, tiles] = U_ξ [O, C] x V_ξ [C, tiles], one per tile element ξ, with the tiles of a block of
/// images side by side. Forward: y = w ⋆ x + b. Backward-data: dx = dy ⋆ rot180(w)ᵀ, the same machinery with the
/// turned, transposed filters and padding r - 1 - pad. Owns its buffers: no allocation once they have grown.
/// </summary>
public sealed unsafe class WinogradConvolution
{
    private float[] _u = [], _uBack = [], _v = [], _m = [], _padded = [];

    /// <param name="padTop">Input rows above the image that the first output row sees (may differ from the bottom's).</param>
    public WinogradConvolution(int channels, int height, int width, int filters, int kernel, int padTop, int padLeft, int outH, int outW)
    {
        if (kernel != 3 && kernel != 5) throw new ArgumentOutOfRangeException(nameof(kernel), $"winograd: kernel {kernel}x{kernel}, supported are 3x3 and 5x5");
        if (channels < 1 || filters < 1 || height < 1 || width < 1 || outH < 1 || outW < 1)
            throw new ArgumentException($"winograd: input [N, {channels}, {height}, {width}], {filters} filters, output {outH}x{outW}");
        (Channels, Height, Width, Filters, Kernel) = (channels, height, width, filters, kernel);
        (PadTop, PadLeft, OutH, OutW) = (padTop, padLeft, outH, outW);
    }

    /// <summary>Whether a convolution with these settings can use this kernel.</summary>
    public static bool Supports(int kernelH, int kernelW, int stride, int dilation) =>
        stride == 1 && dilation == 1 && kernelH == kernelW && (kernelH == 3 || kernelH == 5);

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Filters { get; }
    public int Kernel { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int OutH { get; }
    public int OutW { get; }

    /// <summary>
    /// Most floats the transformed tiles V and products M of one block of images may take (8 MB). Measured on the
    /// cnn's conv2 with the packed GEMM, one thread: 1 image per block 8.2 ms (the 49-column GEMMs are slow),
    /// 5 images 4.9 ms, 11 images 4.5 ms, 23 images 7.3 ms (V and M fall out of the caches).
    /// </summary>
    internal static int BlockBudget { get; set; } = 2 << 20;

    /// <summary>y [n, O, OH, OW] = w ⋆ x + bias (bias may be empty) for x [n, C, H, W], w [O, C, r, r].</summary>
    public void Forward(ReadOnlySpan<float> x, int n, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y)
    {
        Check("x", x.Length, n, Channels, Height, Width);
        Check("y", y.Length, n, Filters, OutH, OutW);
        CheckWeight(weight.Length);
        if (!bias.IsEmpty && bias.Length != Filters) throw new ArgumentException($"winograd: bias has {bias.Length} values, expected {Filters}");
        var u = Grow(ref _u, 36 * Filters * Channels);
        WinogradTransforms.Filters(weight, Filters, Channels, Kernel, rotate: false, u);
        Correlate(x, n, Channels, Height, Width, PadTop, PadLeft, u, Filters, OutH, OutW, bias, y);
    }

    /// <summary>dx [n, C, H, W] = dL/dx for dy = dL/dy [n, O, OH, OW] (overwritten, not accumulated).</summary>
    public void BackwardData(ReadOnlySpan<float> dy, int n, ReadOnlySpan<float> weight, Span<float> dx)
    {
        Check("dy", dy.Length, n, Filters, OutH, OutW);
        Check("dx", dx.Length, n, Channels, Height, Width);
        CheckWeight(weight.Length);
        var u = Grow(ref _uBack, 36 * Filters * Channels);
        WinogradTransforms.Filters(weight, Filters, Channels, Kernel, rotate: true, u);
        int back = Kernel - 1;
        Correlate(dy, n, Filters, OutH, OutW, back - PadTop, back - PadLeft, u, Channels, Height, Width, [], dx);
    }

    // y[b, o, oy, ox] = bias[o] + sum over c, ξ-domain of u ⊙ (the tiles of x), i.e. the correlation with input
    // offsets oy - padTop + i, ox - padLeft + j; channels/filters are the GEMM's k/m.
    private void Correlate(ReadOnlySpan<float> x, int n, int channels, int h, int w, int padTop, int padLeft,
        ReadOnlySpan<float> u, int filters, int outH, int outW, ReadOnlySpan<float> bias, Span<float> y)
    {
        int m = Kernel == 5 ? 2 : 4;
        int tilesH = (outH + m - 1) / m, tilesW = (outW + m - 1) / m, tiles = tilesH * tilesW;
        int len = (tilesW + WinogradTransforms.Lanes - 1) / WinogradTransforms.Lanes * WinogradTransforms.Lanes + 2;
        int rows = m * (tilesH - 1) + 6;
        int block = Math.Clamp(BlockBudget / (36 * (channels + filters) * tiles), 1, Math.Max(1, n));
        int inPlane = h * w, outPlane = outH * outW;
        var padded = Grow(ref _padded, rows * m * len);
        for (int n0 = 0; n0 < n; n0 += block)
        {
            int count = Math.Min(block, n - n0), q = count * tiles;
            // V is [C, 36, ld] and M is [O, 36, ld]: the 36 rows a transform touches at once are neighbours.
            int ld = RowStride(q), vStride = 36 * ld, mStride = 36 * ld;
            var v = Grow(ref _v, channels * vStride);
            var mt = Grow(ref _m, filters * mStride);
            fixed (float* px = x, pv = v, pp = padded)
            {
                if (n0 == 0) WinogradTransforms.ClearPadded(pp, m, rows, len);
                for (int c = 0; c < channels; c++)
                    for (int i = 0; i < count; i++)
                    {
                        WinogradTransforms.Pad(px + ((long)(n0 + i) * channels + c) * inPlane, h, w, padTop, padLeft, m, rows, len, pp);
                        WinogradTransforms.Input(pp, m, len, tilesH, tilesW, pv + (long)c * vStride + i * tiles, ld);
                    }
            }
            for (int xi = 0; xi < 36; xi++)
                Gemm.Multiply(false, false, filters, q, channels, 1f, u.Slice(xi * filters * channels, filters * channels), channels,
                    v.Slice(xi * ld, (channels - 1) * vStride + q), vStride, 0f, mt.Slice(xi * ld, (filters - 1) * mStride + q), mStride);
            fixed (float* pm = mt, py = y)
                for (int o = 0; o < filters; o++)
                {
                    float b = bias.IsEmpty ? 0f : bias[o];
                    for (int i = 0; i < count; i++)
                    {
                        float* src = pm + (long)o * mStride + i * tiles, dst = py + ((long)(n0 + i) * filters + o) * outPlane;
                        if (m == 2) WinogradTransforms.Output<WinogradTransforms.Tile2>(src, ld, tilesH, tilesW, b, dst, outH, outW);
                        else WinogradTransforms.Output<WinogradTransforms.Tile4>(src, ld, tilesH, tilesW, b, dst, outH, outW);
                    }
                }
        }
    }

    /// <summary>
    /// Floats from one tile element's row to the next: room for q values plus the 8 a tile row's last vector may
    /// spill, rounded to an odd number of 64-byte lines, so the 36 rows a transform touches at once fall into 36
    /// different L1 sets (with a power-of-two multiple they shared one set and the output transform ran 4x slower).
    /// </summary>
    internal static int RowStride(int q)
    {
        int lines = (q + 8 + 15) / 16;
        return (lines | 1) * 16;
    }

    private void Check(string name, int length, int n, int c, int h, int w)
    {
        if (n < 0 || length < (long)n * c * h * w)
            throw new ArgumentException($"winograd: {name} has {length} values, [{n}, {c}, {h}, {w}] needs {(long)n * c * h * w}");
    }

    private void CheckWeight(int length)
    {
        if (length != Filters * Channels * Kernel * Kernel)
            throw new ArgumentException($"winograd: weight has {length} values, [{Filters}, {Channels}, {Kernel}, {Kernel}] needs {Filters * Channels * Kernel * Kernel}");
    }

    private static Span<float> Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
