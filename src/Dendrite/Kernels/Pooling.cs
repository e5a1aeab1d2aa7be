using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// Max and average pooling over independent planes (a batch [N, C, H, W] is N*C planes), and their adjoints.
/// Max pooling records, for each output, the index into x of the value it took (the first one on ties;
/// padding is -inf and never wins), so backward routes dy straight there. Average pooling divides by the
/// number of input pixels under the window, padding excluded (PyTorch's count_include_pad=false).
/// </summary>
internal static class Pooling
{
    /// <summary>y = max over each window; argmax = where in x it was. Dispatches 2x2 stride-2 unpadded windows to a fast path.</summary>
    public static void MaxForward(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y, Span<int> argmax) =>
        MaxForward(x, planes, 0, planes, g, y, argmax);

    /// <summary>Planes [first, end) of <paramref name="planes"/> only, so threads can share the work; indices stay absolute.</summary>
    public static void MaxForward(ReadOnlySpan<float> x, int planes, int first, int end, in Window2d g, Span<float> y, Span<int> argmax)
    {
        if (g is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, PadH: 0, PadW: 0, DilationH: 1, DilationW: 1 })
            MaxForward2x2(x, planes, first, end, g, y, argmax);
        else MaxForwardReference(x, first, end, g, y, argmax);
    }

    /// <summary>Any window, straight from the definition: the reference for the fast path.</summary>
    public static void MaxForwardReference(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y, Span<int> argmax) =>
        MaxForwardReference(x, 0, planes, g, y, argmax);

    private static void MaxForwardReference(ReadOnlySpan<float> x, int first, int end, in Window2d g, Span<float> y, Span<int> argmax)
    {
        int outW = g.OutW;
        for (int p = first; p < end; p++)
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

    // The reference CNN's pooling, four outputs at a time: de-interleave 8 floats of the upper and of the lower row into
    // even and odd columns, then two rounds of compare-and-select keep the first maximum and its index. On [64, 32, 28, 28]
    // it takes 0.7 ms where the scalar loop, whose branches are coin flips on random data, took 4-9 ms (measured).
    // H or W odd: the last row or column is dropped, as floor() in the output size says.
    private static void MaxForward2x2(ReadOnlySpan<float> x, int planes, int first, int end, in Window2d g, Span<float> y, Span<int> argmax)
    {
        if (!Sse.IsSupported)
        {
            MaxForwardReference(x, first, end, g, y, argmax);
            return;
        }
        int inW = g.InW, outH = g.OutH, outW = g.OutW;
        int need = (planes - 1) * g.InPlane + (2 * outH - 1) * inW + 2 * outW;
        if (x.Length < need || y.Length < planes * g.OutPlane || argmax.Length < planes * g.OutPlane)
            throw new ArgumentException($"max pool: buffers too short for {planes} planes of {g.InH}x{g.InW}");
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        ref int a0 = ref MemoryMarshal.GetReference(argmax);
        // For rows of fewer than 4 outputs (below): two input rows, padded; only their first 2 * outW floats are rewritten.
        Span<float> pair = stackalloc float[16];
        Span<float> best = stackalloc float[4];
        Span<int> won = stackalloc int[4];
        pair.Fill(float.NegativeInfinity);
        for (int p = first; p < end; p++)
            for (int oy = 0, o = p * g.OutPlane; oy < outH; oy++, o += outW)
            {
                int top = p * g.InPlane + 2 * oy * inW, ox = 0;
                if (outW >= 4)
                {
                    // A row of 4k + r outputs ends with a vector that overlaps the one before and writes r outputs twice,
                    // with the same values: the scalar tail took the cnn's second pool (rows of 7) from 0.11 to 0.3 ms.
                    for (; ox + 4 <= outW; ox += 4) Max4(ref x0, top + 2 * ox, inW, ref y0, ref a0, o + ox);
                    if (ox < outW) Max4(ref x0, top + 2 * (outW - 4), inW, ref y0, ref a0, o + outW - 4);
                    continue;
                }
                // Rows of 1-3 outputs (7x7 -> 3x3): one Max4 whose extra lanes are dropped (they read the next values of
                // x, or -inf padding near x's end). Branches here were coin flips on real data: fashion's third pool took
                // 831 us on one thread for 64 x 128 planes of 7x7, 8 floats copied per row 460-535 us.
                if (top + inW + 8 <= x.Length)
                {
                    Max4(ref x0, top, inW, ref MemoryMarshal.GetReference(best), ref MemoryMarshal.GetReference(won), 0);
                    for (; ox < outW; ox++)
                    {
                        y[o + ox] = best[ox];
                        argmax[o + ox] = won[ox];
                    }
                    continue;
                }
                x.Slice(top, 2 * outW).CopyTo(pair);
                x.Slice(top + inW, 2 * outW).CopyTo(pair[8..]);
                Max4(ref MemoryMarshal.GetReference(pair), 0, 8, ref MemoryMarshal.GetReference(best), ref MemoryMarshal.GetReference(won), 0);
                for (; ox < outW; ox++)
                {
                    y[o + ox] = best[ox];
                    argmax[o + ox] = top + (won[ox] >> 3) * inW + (won[ox] & 7);
                }
            }
    }

    // Four 2x2 windows whose top-left corners are x[j], x[j + 2], x[j + 4], x[j + 6] -> y[o..o+3] and their argmax.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Max4(ref float x0, int j, int inW, ref float y0, ref int a0, int o)
    {
        var u0 = Vector128.LoadUnsafe(ref x0, (nuint)j);
        var u1 = Vector128.LoadUnsafe(ref x0, (nuint)(j + 4));
        var l0 = Vector128.LoadUnsafe(ref x0, (nuint)(j + inW));
        var l1 = Vector128.LoadUnsafe(ref x0, (nuint)(j + inW + 4));
        var a = Sse.Shuffle(u0, u1, 0b10_00_10_00);
        var b = Sse.Shuffle(u0, u1, 0b11_01_11_01);
        var c = Sse.Shuffle(l0, l1, 0b10_00_10_00);
        var d = Sse.Shuffle(l0, l1, 0b11_01_11_01);
        var at = Vector128.Create(j) + Vector128.Create(0, 2, 4, 6);
        var upperOdd = Vector128.GreaterThan(b, a);
        var upper = Vector128.ConditionalSelect(upperOdd, b, a);
        var upperAt = at - upperOdd.AsInt32(); // a true mask is -1: index + 1
        var lowerOdd = Vector128.GreaterThan(d, c);
        var lower = Vector128.ConditionalSelect(lowerOdd, d, c);
        var lowerAt = at + Vector128.Create(inW) - lowerOdd.AsInt32();
        var useLower = Vector128.GreaterThan(lower, upper);
        Vector128.ConditionalSelect(useLower, lower, upper).StoreUnsafe(ref y0, (nuint)o);
        Vector128.ConditionalSelect(useLower.AsInt32(), lowerAt, upperAt).StoreUnsafe(ref a0, (nuint)o);
    }

    /// <summary>dx = 0, then dx[argmax[k]] += dy[k]: each gradient goes back to the input that won.</summary>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx)
    {
        dx.Clear();
        for (int k = 0; k < dy.Length; k++) dx[argmax[k]] += dy[k];
    }

    /// <summary>y = mean of the input pixels under each window (padding not counted). Dispatches 2x2 stride-2 unpadded windows to a fast path.</summary>
    public static void AverageForward(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y)
    {
        if (g is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, PadH: 0, PadW: 0 }) AverageForward2x2(x, planes, g, y);
        else AverageForwardReference(x, planes, g, y);
    }

    // LeNet's pooling: ((a + b) + (c + d)) / 4 per window, the reference's order of additions, so the same bits. One
    // Sum call per window row made the reference 575 us on lenet5's [64, 6, 28, 28] (measured, shared host).
    private static void AverageForward2x2(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y)
    {
        int inW = g.InW, outH = g.OutH, outW = g.OutW;
        for (int p = 0; p < planes; p++)
        {
            var plane = x.Slice(p * g.InPlane, g.InPlane);
            var outPlane = y.Slice(p * g.OutPlane, g.OutPlane);
            for (int oy = 0; oy < outH; oy++)
            {
                var top = plane.Slice(2 * oy * inW, 2 * outW);
                var bottom = plane.Slice((2 * oy + 1) * inW, 2 * outW);
                var row = outPlane.Slice(oy * outW, outW);
                for (int ox = 0; ox < row.Length; ox++)
                    row[ox] = ((top[2 * ox] + top[2 * ox + 1]) + (bottom[2 * ox] + bottom[2 * ox + 1])) * 0.25f;
            }
        }
    }

    /// <summary>Any window, straight from the definition: the reference for the fast path.</summary>
    public static void AverageForwardReference(ReadOnlySpan<float> x, int planes, in Window2d g, Span<float> y)
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
