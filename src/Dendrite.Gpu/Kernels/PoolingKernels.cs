using ILGPU;

namespace Dendrite.Gpu;

/// <summary>
/// Max, average and global average pooling over [N, C, H, W]. Max pooling keeps where each maximum came from;
/// both backward passes scatter dy into dx (cleared first) with atomic adds, so overlapping windows are summed.
/// Average pooling divides by the window's pixels inside the image (padding is not counted), as the CPU layer does.
/// </summary>
internal static class PoolingKernels
{
    /// <summary>i over N C OH OW: y = the window's maximum, at = its input index (padding is never picked).</summary>
    public static void Max(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<int> at, Window g)
    {
        int ox = (int)(i % g.OW), oy = (int)(i / g.OW % g.OH);
        long plane = i / g.OutPlane * g.Plane;
        float best = float.NegativeInfinity;
        int where = -1;
        for (int kh = 0; kh < g.KH; kh++)
        {
            int y0 = oy * g.Stride - g.PadTop + kh;
            if (y0 < 0 || y0 >= g.H) continue;
            for (int kw = 0; kw < g.KW; kw++)
            {
                int x0 = ox * g.Stride - g.PadLeft + kw;
                if (x0 < 0 || x0 >= g.W) continue;
                float v = x[plane + y0 * g.W + x0];
                if (where < 0 || v > best) { best = v; where = y0 * g.W + x0; }
            }
        }
        y[i] = best;
        at[i] = (int)(plane + where);
    }

    /// <summary>i over the outputs: dx[at[i]] += dy[i].</summary>
    public static void MaxBackward(Index1D i, ArrayView<float> dy, ArrayView<int> at, ArrayView<float> dx) =>
        Atomic.Add(ref dx[at[i]], dy[i]);

    /// <summary>i over N C OH OW: y = the mean of the window's pixels inside the image.</summary>
    public static void Average(Index1D i, ArrayView<float> x, ArrayView<float> y, Window g)
    {
        int ox = (int)(i % g.OW), oy = (int)(i / g.OW % g.OH);
        long plane = i / g.OutPlane * g.Plane;
        float sum = 0;
        int count = 0;
        for (int kh = 0; kh < g.KH; kh++)
        {
            int y0 = oy * g.Stride - g.PadTop + kh;
            if (y0 < 0 || y0 >= g.H) continue;
            for (int kw = 0; kw < g.KW; kw++)
            {
                int x0 = ox * g.Stride - g.PadLeft + kw;
                if (x0 < 0 || x0 >= g.W) continue;
                sum += x[plane + y0 * g.W + x0];
                count++;
            }
        }
        y[i] = sum / count;
    }

    /// <summary>i over the outputs: each pixel of the window inside the image gets dy / count.</summary>
    public static void AverageBackward(Index1D i, ArrayView<float> dy, ArrayView<float> dx, Window g)
    {
        int ox = (int)(i % g.OW), oy = (int)(i / g.OW % g.OH);
        long plane = i / g.OutPlane * g.Plane;
        int top = oy * g.Stride - g.PadTop, left = ox * g.Stride - g.PadLeft;
        int ylo = top > 0 ? top : 0, yhi = top + g.KH < g.H ? top + g.KH : g.H;
        int xlo = left > 0 ? left : 0, xhi = left + g.KW < g.W ? left + g.KW : g.W;
        float share = dy[i] / ((yhi - ylo) * (xhi - xlo));
        for (int y0 = ylo; y0 < yhi; y0++)
            for (int x0 = xlo; x0 < xhi; x0++) Atomic.Add(ref dx[plane + y0 * g.W + x0], share);
    }

    /// <summary>i over N C: y = the mean of plane i.</summary>
    public static void Global(Index1D i, ArrayView<float> x, ArrayView<float> y, int plane)
    {
        float sum = 0;
        long at = (long)i.X * plane;
        for (int p = 0; p < plane; p++) sum += x[at + p];
        y[i] = sum / plane;
    }

    /// <summary>i over N C H W: dx = dy of its plane / the plane's size.</summary>
    public static void GlobalBackward(Index1D i, ArrayView<float> dy, ArrayView<float> dx, int plane) => dx[i] = dy[i / plane] / plane;
}
