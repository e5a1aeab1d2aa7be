using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// Lowers convolution to a matrix product. Im2Col copies every kh x kw window of a [C, H, W] image into one
/// column of a [C*kh*kw, OH*OW] matrix (row (c, i, j), column oy*OW + ox; padding becomes zeros), so that
/// W[O, C*kh*kw] x col is the convolution. Col2Im is its adjoint: it adds each column back onto the window it
/// came from, which turns dL/dcol into dL/dx. Gather is im2col, ScatterAdd is col2im. Several images can share one matrix side by side: image g
/// occupies columns [offset, offset + OH*OW) of a matrix with leading dimension ld.
/// </summary>
internal static unsafe class Im2Col
{
    // Output rows up to this long are lowered by offset table (see PrefersTable).
    private const int ShortRow = 16;

    /// <summary>col[(c*kh + i)*kw + j, offset + oy*OW + ox] = x[c, oy*sh - padTop + i*dh, ox*sw - padLeft + j*dw], or 0 in the padding.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Gather(ReadOnlySpan<float> image, int channels, in Window2d g, Span<float> col, int ld, int offset)
    {
        int outW = g.OutW, plane = g.OutPlane;
        for (int c = 0; c < channels; c++)
        {
            var src = image.Slice(c * g.InPlane, g.InPlane);
            for (int i = 0; i < g.KernelH; i++)
            {
                var (yLo, yHi) = g.ValidRows(i * g.DilationH);
                for (int j = 0; j < g.KernelW; j++)
                {
                    int r = (c * g.KernelH + i) * g.KernelW + j;
                    var row = col.Slice(r * ld + offset, plane);
                    var (xLo, xHi) = g.ValidColumns(j * g.DilationW);
                    if (xLo == xHi)
                    {
                        row.Clear(); // this kernel column only ever sees padding
                        continue;
                    }
                    row[..(yLo * outW)].Clear();
                    row[(yHi * outW)..].Clear();
                    int ix0 = xLo * g.StrideW - g.PadLeft + j * g.DilationW;
                    for (int oy = yLo; oy < yHi; oy++)
                    {
                        var dst = row.Slice(oy * outW, outW);
                        var line = src.Slice((oy * g.StrideH - g.PadTop + i * g.DilationH) * g.InW, g.InW);
                        dst[..xLo].Clear();
                        dst[xHi..].Clear();
                        if (g.StrideW == 1) line.Slice(ix0, xHi - xLo).CopyTo(dst[xLo..xHi]);
                        else
                            for (int ox = xLo, ix = ix0; ox < xHi; ox++, ix += g.StrideW) dst[ox] = line[ix];
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Gather"/>: image = 0, then image[c, iy, ix] += col[row, column] for every window entry.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAdd(ReadOnlySpan<float> col, int ld, int offset, int channels, in Window2d g, Span<float> image)
    {
        int outW = g.OutW, plane = g.OutPlane;
        image[..(channels * g.InPlane)].Clear();
        for (int c = 0; c < channels; c++)
        {
            var dstPlane = image.Slice(c * g.InPlane, g.InPlane);
            for (int i = 0; i < g.KernelH; i++)
            {
                var (yLo, yHi) = g.ValidRows(i * g.DilationH);
                for (int j = 0; j < g.KernelW; j++)
                {
                    int r = (c * g.KernelH + i) * g.KernelW + j;
                    var row = col.Slice(r * ld + offset, plane);
                    var (xLo, xHi) = g.ValidColumns(j * g.DilationW);
                    int ix0 = xLo * g.StrideW - g.PadLeft + j * g.DilationW;
                    if (xLo == xHi) continue;
                    for (int oy = yLo; oy < yHi; oy++)
                    {
                        var src = row.Slice(oy * outW, outW);
                        var line = dstPlane.Slice((oy * g.StrideH - g.PadTop + i * g.DilationH) * g.InW, g.InW);
                        if (g.StrideW == 1)
                        {
                            var target = line.Slice(ix0, xHi - xLo);
                            TensorPrimitives.Add(target, src[xLo..xHi], target);
                        }
                        else
                            for (int ox = xLo, ix = ix0; ox < xHi; ox++, ix += g.StrideW) line[ix] += src[ox];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether <see cref="GatherByTable"/> and <see cref="ScatterAddByTable"/> should run instead of the row copies:
    /// when output rows are short or strided, the row copies spend their time on calls, clears and bounds, not on
    /// moving values. Measured with <c>Dendrite.Benchmarks im2col</c>, 64 images, one thread (CPU family 25):
    /// [128, 4, 4] 3x3 pad 1: 3,291 us by rows, 531 us by table; [64, 7, 7] stride 2: 1,830 / 268; [32, 14, 14]
    /// 3x3: 5,002 / 1,850; [3, 112, 112] 7x7 stride 2 (8 images): 3,551 / 1,595. At 28 columns a row the two are
    /// even (10.1 / 9.1 ms at 32 channels) and from 56 up the row copies win (13.2 / 16.0 ms).
    /// </summary>
    public static bool PrefersTable(in Window2d g) => g.StrideW != 1 || g.OutW <= ShortRow;

    /// <summary>
    /// For tap t = i*kw + j and output p = oy*OW + ox, at [t*OH*OW + p]: the input's offset iy*W + ix within a channel
    /// plane, or -1 where the window lies in the padding. One table serves every channel and image of a geometry.
    /// </summary>
    public static int[] Offsets(in Window2d g)
    {
        var table = new int[g.KernelArea * g.OutPlane];
        int k = 0;
        for (int i = 0; i < g.KernelH; i++)
            for (int j = 0; j < g.KernelW; j++)
                for (int oy = 0; oy < g.OutH; oy++)
                {
                    int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                    for (int ox = 0; ox < g.OutW; ox++)
                    {
                        int ix = ox * g.StrideW - g.PadLeft + j * g.DilationW;
                        table[k++] = (uint)iy < (uint)g.InH && (uint)ix < (uint)g.InW ? iy * g.InW + ix : -1;
                    }
                }
        return table;
    }

    /// <summary>
    /// <see cref="Gather"/> from an <see cref="Offsets"/> table: the same values. Channel c's taps go to rows
    /// c * <paramref name="channelRows"/> + t (0: the kernel area, im2col's own layout; Winograd leaves room for 36 per channel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherByTable(ReadOnlySpan<float> image, int channels, in Window2d g, ReadOnlySpan<int> offsets, Span<float> col, int ld, int offset, int channelRows = 0)
    {
        if (channelRows == 0) channelRows = g.KernelArea;
        if (channelRows < g.KernelArea) throw new ArgumentOutOfRangeException(nameof(channelRows), "im2col: fewer rows per channel than taps");
        CheckTable("im2col", image.Length, channels, g, offsets.Length, col.Length, ld, offset, channelRows);
        int plane = g.OutPlane, area = g.KernelArea, inPlane = g.InPlane;
        fixed (float* img = image, cols = col)
        fixed (int* table = offsets)
            for (int c = 0; c < channels; c++)
            {
                float* src = img + (nint)c * inPlane;
                for (int t = 0; t < area; t++)
                {
                    float* dst = cols + (nint)(c * channelRows + t) * ld + offset;
                    int* o = table + t * plane;
                    int p = 0;
                    if (Avx2.IsSupported)
                        for (; p <= plane - 8; p += 8)
                        {
                            var index = Avx.LoadVector256(o + p);
                            var inside = Avx2.CompareGreaterThan(index, Vector256<int>.AllBitsSet).AsSingle(); // index >= 0
                            Avx.Store(dst + p, Avx2.GatherMaskVector256(Vector256<float>.Zero, src, index, inside, 4));
                        }
                    for (; p < plane; p++)
                    {
                        int k = o[p];
                        dst[p] = k >= 0 ? src[k] : 0f;
                    }
                }
            }
    }

    /// <summary>
    /// <see cref="ScatterAdd"/> from an <see cref="Offsets"/> table: the same sums in the same order (channel, tap,
    /// output position), so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAddByTable(ReadOnlySpan<float> col, int ld, int offset, int channels, in Window2d g, ReadOnlySpan<int> offsets, Span<float> image)
    {
        CheckTable("col2im", image.Length, channels, g, offsets.Length, col.Length, ld, offset);
        int plane = g.OutPlane, area = g.KernelArea, inPlane = g.InPlane;
        image[..(channels * inPlane)].Clear();
        fixed (float* img = image, cols = col)
        fixed (int* table = offsets)
            for (int c = 0; c < channels; c++)
            {
                float* dst = img + (nint)c * inPlane;
                for (int t = 0; t < area; t++)
                {
                    float* src = cols + (nint)(c * area + t) * ld + offset;
                    int* o = table + t * plane;
                    for (int p = 0; p < plane; p++)
                    {
                        int k = o[p];
                        if (k >= 0) dst[k] += src[p];
                    }
                }
            }
    }

    // The table paths read and write through pointers: every length is checked once, before the first.
    private static void CheckTable(string kernel, int imageLength, int channels, in Window2d g, int tableLength, int colLength, int ld, int offset, int channelRows = 0)
    {
        int rows = (channels - 1) * (channelRows == 0 ? g.KernelArea : channelRows) + g.KernelArea;
        if (tableLength < g.KernelArea * g.OutPlane || imageLength < channels * g.InPlane || colLength < (rows - 1) * ld + offset + g.OutPlane)
            throw new ArgumentException($"{kernel}: table, image or columns too short");
    }
}
