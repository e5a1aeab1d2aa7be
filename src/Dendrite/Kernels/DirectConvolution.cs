using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dendrite.Kernels;

/// <summary>
/// Stride-1 convolution computed straight from its definition, vectorised over 16 neighbouring output columns,
/// y[b, o, oy, ox] = bias[o] + sum over c, i, j of w[o, c, i, j] x[b, c, oy - padTop + i, ox - padLeft + j], for
/// inputs with few channels. There im2col is mostly copying: with one channel (the cnn's conv1) it writes every
/// pixel 25 times for a GEMM whose inner dimension is only 25. Each image is zero-padded once into a per-chunk
/// buffer; then four filters and two vectors of a row (8 accumulators) take one input load per vector and one
/// weight broadcast per filter for every tap. An output row of 16k + r columns ends with a vector that overlaps
/// the one before, so no column needs a scalar loop. Rows narrower than 16 (LeNet's 10x10 maps, a ResNet's 7x7) run
/// "flat": the output is computed over the padded plane read as one long row (output f = oy * PaddedW + ox reads
/// padded[f + i * PaddedW + j], so vectors run across row ends), into a scratch plane of PaddedW-wide rows whose
/// first OutW columns are then copied out; the kw - 1 extra columns a row are wasted work.
/// The weight gradient, for 3- and 5-wide kernels, is in DirectConvolution.WeightGradient.cs; dL/dx stays with im2col and GEMM.
/// </summary>
[SkipLocalsInit]
internal sealed unsafe partial class DirectConvolution : IParallelJob
{
    private const int Lanes = 16, FilterBlock = 4;
    private float[] _padded = [], _packed = [], _scratch = [];

    public DirectConvolution(int channels, int height, int width, int filters, int kernelH, int kernelW, int padTop, int padLeft, int outH, int outW)
    {
        if (channels < 1 || filters < 1 || height < 1 || width < 1 || kernelH < 1 || kernelW < 1 || outW < 1 || outH < 1 ||
            !Supports(1, 1, outH, outW, kernelW))
            throw new ArgumentException($"direct convolution: input [N, {channels}, {height}, {width}], {filters} filters {kernelH}x{kernelW}, output {outH}x{outW}");
        (Channels, Height, Width, Filters, KernelH, KernelW) = (channels, height, width, filters, kernelH, kernelW);
        (PadTop, PadLeft, OutH, OutW) = (padTop, padLeft, outH, outW);
        PaddedH = outH + kernelH - 1;
        PaddedW = outW + kernelW - 1;
        Flat = outW < Lanes;
    }

    /// <summary>
    /// Whether this kernel can compute a convolution with these settings: stride 1, no dilation, and rows of at least 16
    /// outputs or (flat) an output plane read as padded rows of at least 16 values.
    /// </summary>
    public static bool Supports(int stride, int dilation, int outH, int outW, int kernelW) =>
        stride == 1 && dilation == 1 && (outW >= Lanes || outH * (outW + kernelW - 1) >= Lanes);

    /// <summary>Rows narrower than one vector: computed over the padded plane as one long row (see the class notes).</summary>
    public bool Flat { get; }

    /// <summary>
    /// Whether the direct kernel beats im2col + GEMM and Winograd: with few input channels, where im2col's inner
    /// dimension C*kh*kw is short. Measured on [64, C, 28, 28], 2 threads, best of 30 (im2col / direct / Winograd):
    /// 5x5 with 32 filters C = 1 0.76 / 0.22 ms, C = 3 1.9 / 0.60, C = 8 4.6 / 1.6 / 2.0, C = 16 9.1 / 3.2 / 2.9;
    /// 3x3 C = 3 (32x32) 1.4 / 0.31 / 2.0, C = 16 3.2 / 1.2 / 1.0. Needs 512-bit vectors to pay off.
    /// </summary>
    public static bool Faster(int channels) => channels < 16 && Vector512.IsHardwareAccelerated;

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Filters { get; }
    public int KernelH { get; }
    public int KernelW { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int OutH { get; }
    public int OutW { get; }
    /// <summary>The padded plane: every output row reads PaddedW columns, every column PaddedH rows.</summary>
    public int PaddedH { get; }
    public int PaddedW { get; }

    /// <summary>y [n, O, OH, OW] = w ⋆ x + bias (bias may be empty), then max(0, y) when <paramref name="relu"/>, on <paramref name="engine"/>'s threads.</summary>
    public void Forward(Engine engine, ReadOnlySpan<float> x, int n, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, bool relu = false)
    {
        if (n < 0 || x.Length < (long)n * Channels * Height * Width)
            throw new ArgumentException($"direct convolution: x has {x.Length} values, [{n}, {Channels}, {Height}, {Width}] needs {(long)n * Channels * Height * Width}");
        if (y.Length < (long)n * Filters * OutH * OutW)
            throw new ArgumentException($"direct convolution: y has {y.Length} values, [{n}, {Filters}, {OutH}, {OutW}] needs {(long)n * Filters * OutH * OutW}");
        int taps = Channels * KernelH * KernelW;
        if (weight.Length != Filters * taps)
            throw new ArgumentException($"direct convolution: weight has {weight.Length} values, [{Filters}, {Channels}, {KernelH}, {KernelW}] needs {Filters * taps}");
        if (!bias.IsEmpty && bias.Length != Filters) throw new ArgumentException($"direct convolution: bias has {bias.Length} values, expected {Filters}");
        if (n == 0) return;
        int blocks = (Filters + FilterBlock - 1) / FilterBlock;
        // [block, tap, 4]: the four filters of a block side by side for each tap, zero past the last filter.
        var packed = Grow(ref _packed, blocks * taps * FilterBlock + blocks * FilterBlock);
        packed.Clear();
        for (int o = 0; o < Filters; o++)
        {
            int block = o / FilterBlock, lane = o % FilterBlock;
            for (int t = 0; t < taps; t++) packed[(block * taps + t) * FilterBlock + lane] = weight[o * taps + t];
            packed[blocks * taps * FilterBlock + o] = bias.IsEmpty ? 0f : bias[o];
        }
        // A flat image reads up to kw - 1 values past its padded planes: a tail of one vector keeps that inside the buffer.
        int chunks = Math.Min(n, 4 * engine.Threads), plane = PaddedH * PaddedW * Channels + Lanes;
        var padded = Grow(ref _padded, chunks * plane);
        var scratch = Grow(ref _scratch, Flat ? chunks * Filters * OutH * PaddedW : 0);
        fixed (float* px = x, py = y, pp = padded, pw = packed, ps = scratch)
        {
            _job = new Job { X = px, Y = py, Padded = pp, Weights = pw, Scratch = ps, N = n, Chunks = chunks, Relu = relu };
            engine.Run(this, chunks);
            _job = default;
        }
    }

    private Job _job;

    private struct Job
    {
        public float* X, Y, Padded, Weights, Scratch;
        public int N, Chunks;
        public bool Relu, Gradient;
        public float* Dy, Partials;
    }

    void IParallelJob.Execute(int chunk) => Execute(chunk);

    private void Execute(int chunk)
    {
        ref readonly Job job = ref _job;
        if (job.Gradient)
        {
            GradientBlock(chunk);
            return;
        }
        int inPlane = Height * Width, outPlane = OutH * OutW, paddedPlane = PaddedH * PaddedW;
        float* padded = job.Padded + (long)chunk * (Channels * paddedPlane + Lanes);
        new Span<float>(padded, Channels * paddedPlane + Lanes).Clear();
        float* scratch = job.Scratch + (long)chunk * Filters * OutH * PaddedW;
        for (int b = chunk * job.N / job.Chunks, end = (chunk + 1) * job.N / job.Chunks; b < end; b++)
        {
            for (int c = 0; c < Channels; c++) Pad(job.X + ((long)b * Channels + c) * inPlane, padded + c * paddedPlane, PaddedW);
            float* y = job.Y + (long)b * Filters * outPlane;
            if (!Flat)
            {
                Image(padded, job.Weights, y, job.Relu);
                continue;
            }
            FlatImage(padded, job.Weights, scratch, job.Relu);
            for (int row = 0; row < Filters * OutH; row++)
                new ReadOnlySpan<float>(scratch + (long)row * PaddedW, OutW).CopyTo(new Span<float>(y + (long)row * OutW, OutW));
        }
    }

    // Copies the image into the middle of the zeroed padded plane (rows `stride` apart); the border stays zero from the first clear.
    private void Pad(float* src, float* dst, int stride)
    {
        int r0 = Math.Max(0, PadTop), r1 = Math.Min(PaddedH, Height + PadTop);
        int c0 = Math.Max(0, PadLeft), c1 = Math.Min(PaddedW, Width + PadLeft);
        for (int r = r0; r < r1; r++)
            new ReadOnlySpan<float>(src + (long)(r - PadTop) * Width + (c0 - PadLeft), c1 - c0).CopyTo(new Span<float>(dst + r * stride + c0, c1 - c0));
    }

    private void Image(float* padded, float* weights, float* y, bool relu)
    {
        int taps = Channels * KernelH * KernelW, blocks = (Filters + FilterBlock - 1) / FilterBlock, vectors = (OutW + Lanes - 1) / Lanes;
        float* biases = weights + blocks * taps * FilterBlock;
        for (int block = 0; block < blocks; block++)
        {
            float* w = weights + block * taps * FilterBlock;
            int o = block * FilterBlock, count = Math.Min(FilterBlock, Filters - o);
            for (int oy = 0; oy < OutH; oy++)
                for (int v = 0; v < vectors; v += 2)
                {
                    // Columns of this pair of vectors; the last vector of a row starts at OutW - 16 (overlapping).
                    int xa = Math.Min(v * Lanes, OutW - Lanes), xb = Math.Min((v + 1) * Lanes, OutW - Lanes);
                    Block(padded + oy * PaddedW, xa, xb, w, biases + o, y + (long)o * OutH * OutW + oy * OutW, count, relu, (long)OutH * OutW);
                }
        }
    }

    // The output planes as OutH rows of PaddedW values each, vectors running across row ends (see the class notes).
    private void FlatImage(float* padded, float* weights, float* scratch, bool relu)
    {
        int taps = Channels * KernelH * KernelW, blocks = (Filters + FilterBlock - 1) / FilterBlock;
        int total = OutH * PaddedW, vectors = (total + Lanes - 1) / Lanes;
        float* biases = weights + blocks * taps * FilterBlock;
        for (int block = 0; block < blocks; block++)
        {
            float* w = weights + block * taps * FilterBlock;
            int o = block * FilterBlock, count = Math.Min(FilterBlock, Filters - o);
            for (int v = 0; v < vectors; v += 2)
            {
                int xa = Math.Min(v * Lanes, total - Lanes), xb = Math.Min((v + 1) * Lanes, total - Lanes);
                Block(padded, xa, xb, w, biases + o, scratch + (long)o * total, count, relu, total);
            }
        }
    }

    // Four filters (count of them stored) x output columns [xa, xa + 16) and [xb, xb + 16) of one row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block(float* row, int xa, int xb, float* w, float* bias, float* y, int count, bool relu, long plane)
    {
        var a0 = Vector512.Create(bias[0]);
        var a1 = Vector512.Create(bias[1]);
        var a2 = Vector512.Create(bias[2]);
        var a3 = Vector512.Create(bias[3]);
        Vector512<float> b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        int paddedPlane = PaddedH * PaddedW;
        for (int c = 0; c < Channels; c++)
            for (int i = 0; i < KernelH; i++)
            {
                float* line = row + c * paddedPlane + i * PaddedW;
                for (int j = 0; j < KernelW; j++, w += FilterBlock)
                {
                    var u = Vector512.Load(line + xa + j);
                    var v = Vector512.Load(line + xb + j);
                    var w0 = Vector512.Create(w[0]);
                    a0 = Vector512.FusedMultiplyAdd(u, w0, a0);
                    b0 = Vector512.FusedMultiplyAdd(v, w0, b0);
                    var w1 = Vector512.Create(w[1]);
                    a1 = Vector512.FusedMultiplyAdd(u, w1, a1);
                    b1 = Vector512.FusedMultiplyAdd(v, w1, b1);
                    var w2 = Vector512.Create(w[2]);
                    a2 = Vector512.FusedMultiplyAdd(u, w2, a2);
                    b2 = Vector512.FusedMultiplyAdd(v, w2, b2);
                    var w3 = Vector512.Create(w[3]);
                    a3 = Vector512.FusedMultiplyAdd(u, w3, a3);
                    b3 = Vector512.FusedMultiplyAdd(v, w3, b3);
                }
            }
        if (relu)
        {
            (a0, a1, a2, a3) = (Vector512.Max(a0, default), Vector512.Max(a1, default), Vector512.Max(a2, default), Vector512.Max(a3, default));
            (b0, b1, b2, b3) = (Vector512.Max(b0, default), Vector512.Max(b1, default), Vector512.Max(b2, default), Vector512.Max(b3, default));
        }
        // xb == xa when the row has a single vector: the second store writes the same values again.
        a0.Store(y + xa);
        b0.Store(y + xb);
        if (count > 1) { a1.Store(y + plane + xa); b1.Store(y + plane + xb); }
        if (count > 2) { a2.Store(y + 2 * plane + xa); b2.Store(y + 2 * plane + xb); }
        if (count > 3) { a3.Store(y + 3 * plane + xa); b3.Store(y + 3 * plane + xb); }
    }

    private static Span<float> Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
