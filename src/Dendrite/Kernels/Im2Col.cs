using System.Numerics.Tensors;

namespace Dendrite.Kernels;

/// <summary>
/// Lowers convolution to a matrix product. Im2Col copies every kh x kw window of a [C, H, W] image into one
/// column of a [C*kh*kw, OH*OW] matrix (row (c, i, j), column oy*OW + ox; padding becomes zeros), so that
/// W[O, C*kh*kw] x col is the convolution. Col2Im is its adjoint: it adds each column back onto the window it
/// came from, which turns dL/dcol into dL/dx. Gather is im2col, ScatterAdd is col2im. Several images can share one matrix side by side: image g
/// occupies columns [offset, offset + OH*OW) of a matrix with leading dimension ld.
/// </summary>
internal static class Im2Col
{
    // Rows up to this long are copied and added element by element: on the small maps of a residual net's later
    // stages (7x7, 4x4) the call into a vectorised copy or add cost more than the few values it moved.
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
                        if (g.StrideW == 1 && xHi - xLo <= ShortRow)
                            for (int k = 0; k < xHi - xLo; k++) dst[xLo + k] = line[ix0 + k];
                        else if (g.StrideW == 1) line.Slice(ix0, xHi - xLo).CopyTo(dst[xLo..xHi]);
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
                        if (g.StrideW == 1 && xHi - xLo <= ShortRow)
                            for (int k = 0; k < xHi - xLo; k++) line[ix0 + k] += src[xLo + k];
                        else if (g.StrideW == 1)
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
}
