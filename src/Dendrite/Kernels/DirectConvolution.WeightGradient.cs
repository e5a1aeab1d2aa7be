using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Dendrite.Kernels;

/// <summary>
/// The weight gradient of the direct convolution: dw[o, c, i, j] += sum over images b and outputs (oy, ox) of
/// dy[b, o, oy, ox] x[b, c, oy - padTop + i, ox - padLeft + j]. For the cnn's conv1 im2col copied every pixel 25 times
/// and then ran a [32, 25] product with k = 50,176 that the packed kernel handles badly. Here a row of dy (16 lanes at
/// a time, zero past the row's end) meets the kw shifted rows of the padded image in kw register accumulators; the
/// 16-lane sums are reduced once per block of images. The blocks are fixed (never from the thread count) and their
/// partial sums are added in block order, so results are the same for any thread count.
/// </summary>
internal sealed unsafe partial class DirectConvolution
{
    private const int GradientBlocks = 8;
    private float[] _gradPadded = [], _partials = [], _lanes = [], _dyRows = [];

    /// <summary>Whether <see cref="WeightGradient"/> handles this kernel width (3 or 5: its accumulators are written out).</summary>
    public bool SupportsWeightGradient => KernelW is 3 or 5 && !Flat;

    // Columns of a row of dy as vectors, and the padded image's row stride: wide enough for the last vector's taps.
    private int RowVectors => (OutW + Lanes - 1) / Lanes;
    private int GradientStride => RowVectors * Lanes + KernelW - 1;

    /// <summary>dw [O, C, kh, kw] += dL/dw for x [n, C, H, W] and dy = dL/dy [n, O, OH, OW], on <paramref name="engine"/>'s threads.</summary>
    public void WeightGradient(Engine engine, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, Span<float> dw)
    {
        if (!SupportsWeightGradient) throw new NotSupportedException($"direct convolution: no weight gradient for {KernelH}x{KernelW} kernels (3 or 5 wide)");
        if (n < 0 || x.Length < (long)n * Channels * Height * Width)
            throw new ArgumentException($"direct convolution: x has {x.Length} values, [{n}, {Channels}, {Height}, {Width}] needs {(long)n * Channels * Height * Width}");
        if (dy.Length < (long)n * Filters * OutH * OutW)
            throw new ArgumentException($"direct convolution: dy has {dy.Length} values, [{n}, {Filters}, {OutH}, {OutW}] needs {(long)n * Filters * OutH * OutW}");
        int taps = Filters * Channels * KernelH * KernelW;
        if (dw.Length != taps) throw new ArgumentException($"direct convolution: dw has {dw.Length} values, [{Filters}, {Channels}, {KernelH}, {KernelW}] needs {taps}");
        if (n == 0) return;
        int blocks = Math.Min(n, GradientBlocks);
        var padded = Grow(ref _gradPadded, blocks * Channels * PaddedH * GradientStride);
        var partials = Grow(ref _partials, blocks * taps);
        Grow(ref _lanes, blocks * taps * Lanes);
        Grow(ref _dyRows, blocks * OutH * RowVectors * Lanes);
        fixed (float* px = x, pdy = dy, pp = padded, pq = partials)
        {
            _job = new Job { X = px, Dy = pdy, Padded = pp, Partials = pq, N = n, Chunks = blocks, Gradient = true };
            engine.Run(this, blocks);
            _job = default;
        }
        for (int b = 0; b < blocks; b++) TensorPrimitives.Add(dw, partials.Slice(b * taps, taps), dw);
    }

    // Block `chunk` of the images: its partial dw, from 16-lane sums kept per tap over all its images.
    private void GradientBlock(int chunk)
    {
        ref readonly Job job = ref _job;
        int stride = GradientStride, paddedPlane = PaddedH * stride, taps = Filters * Channels * KernelH * KernelW;
        int vectors = RowVectors, rowFloats = vectors * Lanes, inPlane = Height * Width, outPlane = OutH * OutW;
        fixed (float* lanesBase = _lanes, rowsBase = _dyRows)
        {
            float* padded = job.Padded + (long)chunk * Channels * paddedPlane;
            float* lanes = lanesBase + (long)chunk * taps * Lanes;
            float* rows = rowsBase + (long)chunk * OutH * rowFloats;
            new Span<float>(padded, Channels * paddedPlane).Clear();
            new Span<float>(lanes, taps * Lanes).Clear();
            new Span<float>(rows, OutH * rowFloats).Clear(); // the columns past OutW stay zero
            for (int b = chunk * job.N / job.Chunks, end = (chunk + 1) * job.N / job.Chunks; b < end; b++)
            {
                for (int c = 0; c < Channels; c++) Pad(job.X + ((long)b * Channels + c) * inPlane, padded + c * paddedPlane, stride);
                for (int o = 0; o < Filters; o++)
                {
                    float* dyPlane = job.Dy + ((long)b * Filters + o) * outPlane;
                    for (int oy = 0; oy < OutH; oy++)
                        new ReadOnlySpan<float>(dyPlane + oy * OutW, OutW).CopyTo(new Span<float>(rows + oy * rowFloats, OutW));
                    for (int c = 0; c < Channels; c++)
                        for (int i = 0; i < KernelH; i++)
                        {
                            float* acc = lanes + (((long)o * Channels + c) * KernelH + i) * KernelW * Lanes;
                            float* image = padded + c * paddedPlane + i * stride;
                            if (KernelW == 5) Row5(rows, rowFloats, image, stride, acc);
                            else Row3(rows, rowFloats, image, stride, acc);
                        }
                }
            }
            float* partial = job.Partials + (long)chunk * taps;
            for (int t = 0; t < taps; t++) partial[t] = Vector512.Sum(Vector512.Load(lanes + t * Lanes));
        }
    }

    // acc[j] += sum over rows oy and vectors v of dy[oy, v] * image[oy, v*16 + j ..], j < 5.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Row5(float* rows, int rowFloats, float* image, int stride, float* acc)
    {
        V a0 = Vector512.Load(acc), a1 = Vector512.Load(acc + Lanes), a2 = Vector512.Load(acc + 2 * Lanes), a3 = Vector512.Load(acc + 3 * Lanes), a4 = Vector512.Load(acc + 4 * Lanes);
        for (int oy = 0; oy < OutH; oy++)
        {
            float* d = rows + oy * rowFloats, line = image + oy * stride;
            for (int x0 = 0; x0 < rowFloats; x0 += Lanes)
            {
                V g = Vector512.Load(d + x0);
                float* p = line + x0;
                a0 = Vector512.FusedMultiplyAdd(g, Vector512.Load(p), a0);
                a1 = Vector512.FusedMultiplyAdd(g, Vector512.Load(p + 1), a1);
                a2 = Vector512.FusedMultiplyAdd(g, Vector512.Load(p + 2), a2);
                a3 = Vector512.FusedMultiplyAdd(g, Vector512.Load(p + 3), a3);
                a4 = Vector512.FusedMultiplyAdd(g, Vector512.Load(p + 4), a4);
            }
        }
        a0.Store(acc);
        a1.Store(acc + Lanes);
        a2.Store(acc + 2 * Lanes);
        a3.Store(acc + 3 * Lanes);
        a4.Store(acc + 4 * Lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Row3(float* rows, int rowFloats, float* image, int stride, float* acc)
    {
        V a0 = Vector512.Load(acc), a1 = Vector512.Load(acc + Lanes), a2 = Vector512.Load(acc + 2 * Lanes);
        for (int oy = 0; oy < OutH; oy++)
        {
            float* d = rows + oy * rowFloats, line = image + oy * stride;
            for (int x0 = 0; x0 < rowFloats; x0 += Lanes)
            {
                V g = Vector512.Load(d + x0);
                float* p = line + x0;
                a0 = Vector512.FusedMultiplyAdd(g, Vector512.Load(p), a0);
                a1 = Vector512.FusedMultiplyAdd(g, Vector512.Load(p + 1), a1);
                a2 = Vector512.FusedMultiplyAdd(g, Vector512.Load(p + 2), a2);
            }
        }
        a0.Store(acc);
        a1.Store(acc + Lanes);
        a2.Store(acc + 2 * Lanes);
    }
}
