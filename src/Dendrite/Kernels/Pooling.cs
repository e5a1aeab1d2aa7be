using System.Numerics.Tensors;

namespace Dendrite.Kernels;

/// <summary>
/// Max and average pooling over independent planes (a batch [N, C, H, W] is N*C planes), and their adjoints.
/// Max pooling records, for each output, the index into x of the value it took (the first one on ties;
/// padding is -inf and never wins), so backward routes dy straight there. Average pooling divides by the
/// number of input pixels under the window, padding excluded (PyTorch's count_include_pad=false).
/// </summary>
public static class Pooling
{
    /// <summary>y = max over each window; argmax = where in x it was. Dispatches 2x2 stride-2 unpadded windows to a fast path.</summary>
    public static void MaxForward(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y, Span<int> argmax)
    {
        if (g is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, PadH: 0, PadW: 0, DilationH: 1, DilationW: 1 })
            MaxForward2x2(x, planes, g, y, argmax);
        else MaxForwardReference(x, planes, g, y, argmax);
    }

    /// <summary>Any window, straight from the definition: the reference for the fast path.</summary>
    public static void MaxForwardReference(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y, Span<int> argmax)
    {
        int outW = g.OutW;
        for (int p = 0; p < planes; p++)
        {
            int inBase = p * g.InPlane, outBase = p * g.OutPlane;
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < outW; ox++)
                {
                    float best = float.NegativeInfinity;
                    int at = -1;
                    for (int i = 0; i < g.KernelH; i++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                        if ((uint)iy >= (uint)g.InH) continue;
                        for (int j = 0; j < g.KernelW; j++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + j * g.DilationW;
                            if ((uint)ix >= (uint)g.InW) continue;
                            int k = inBase + iy * g.InW + ix;
                            if (x[k] > best || at < 0)
                            {
                                best = x[k];
                                at = k;
                            }
                        }
                    }
                    y[outBase + oy * outW + ox] = best;
                    argmax[outBase + oy * outW + ox] = at;
                }
        }
    }

    // The reference CNN's pooling: no bounds checks, each output reads two adjacent pairs. (H or W odd: the last row or column is dropped.)
    private static void MaxForward2x2(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y, Span<int> argmax)
    {
        int inW = g.InW, outH = g.OutH, outW = g.OutW;
        for (int p = 0; p < planes; p++)
        {
            int inBase = p * g.InPlane, o = p * g.OutPlane;
            for (int oy = 0; oy < outH; oy++)
            {
                int top = inBase + 2 * oy * inW;
                var upper = x.Slice(top, 2 * outW);
                var lower = x.Slice(top + inW, 2 * outW);
                for (int ox = 0; ox < outW; ox++, o++)
                {
                    int j = 2 * ox;
                    float best = upper[j];
                    int at = top + j;
                    if (upper[j + 1] > best) { best = upper[j + 1]; at = top + j + 1; }
                    if (lower[j] > best) { best = lower[j]; at = top + inW + j; }
                    if (lower[j + 1] > best) { best = lower[j + 1]; at = top + inW + j + 1; }
                    y[o] = best;
                    argmax[o] = at;
                }
            }
        }
    }

    /// <summary>dx = 0, then dx[argmax[k]] += dy[k]: each gradient goes back to the input that won.</summary>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx)
    {
        dx.Clear();
        for (int k = 0; k < dy.Length; k++) dx[argmax[k]] += dy[k];
    }

    /// <summary>y = mean of the input pixels under each window (padding not counted).</summary>
    public static void AverageForward(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y)
    {
        int outW = g.OutW;
        for (int p = 0; p < planes; p++)
        {
            var plane = x.Slice(p * g.InPlane, g.InPlane);
            for (int oy = 0; oy < g.OutH; oy++)
            {
                var (iy0, iy1) = Rows(g, oy);
                for (int ox = 0; ox < outW; ox++)
                {
                    var (ix0, ix1) = Columns(g, ox);
                    float sum = 0;
                    for (int iy = iy0; iy < iy1; iy++) sum += TensorPrimitives.Sum(plane.Slice(iy * g.InW + ix0, ix1 - ix0));
                    y[(p * g.OutH + oy) * outW + ox] = sum / ((iy1 - iy0) * (ix1 - ix0));
                }
            }
        }
    }

    /// <summary>dx = 0, then each window's input pixels get dy / (pixels in the window).</summary>
    public static void AverageBackward(ReadOnlySpan<float> dy, int planes, in Window2d g, Span<float> dx)
    {
        dx.Clear();
        int outW = g.OutW;
        for (int p = 0; p < planes; p++)
        {
            var plane = dx.Slice(p * g.InPlane, g.InPlane);
            for (int oy = 0; oy < g.OutH; oy++)
            {
                var (iy0, iy1) = Rows(g, oy);
                for (int ox = 0; ox < outW; ox++)
                {
                    var (ix0, ix1) = Columns(g, ox);
                    float share = dy[(p * g.OutH + oy) * outW + ox] / ((iy1 - iy0) * (ix1 - ix0));
                    for (int iy = iy0; iy < iy1; iy++)
                    {
                        var line = plane.Slice(iy * g.InW + ix0, ix1 - ix0);
                        TensorPrimitives.Add(line, share, line);
                    }
                }
            }
        }
    }

    /// <summary>y[p] = mean of plane p (global average pooling).</summary>
    public static void GlobalAverageForward(ReadOnlySpan<float> x, int planes, int planeSize, Span<float> y)
    {
        for (int p = 0; p < planes; p++) y[p] = TensorPrimitives.Sum(x.Slice(p * planeSize, planeSize)) / planeSize;
    }

    /// <summary>Every pixel of plane p gets dy[p] / planeSize.</summary>
    public static void GlobalAverageBackward(ReadOnlySpan<float> dy, int planes, int planeSize, Span<float> dx)
    {
        for (int p = 0; p < planes; p++) dx.Slice(p * planeSize, planeSize).Fill(dy[p] / planeSize);
    }

    // Input rows [lo, hi) under output row oy, clipped to the plane (average pooling has dilation 1).
    private static (int, int) Rows(in Window2d g, int oy)
    {
        int start = oy * g.StrideH - g.PadTop;
        return (Math.Max(start, 0), Math.Min(start + g.KernelH, g.InH));
    }

    private static (int, int) Columns(in Window2d g, int ox)
    {
        int start = ox * g.StrideW - g.PadLeft;
        return (Math.Max(start, 0), Math.Min(start + g.KernelW, g.InW));
    }
}
