using ILGPU;

namespace Dendrite.Gpu;

/// <summary>
/// Convolution lowered to GEMM by im2col over the whole batch: col [C kh kw, N OH OW], Y' = W col in [F, N OH OW],
/// then a permute to [N, F, OH, OW] that adds the bias. Backward: dY' is dY permuted back, dW += dY' colᵀ,
/// dcol = Wᵀ dY', and col2im gathers dx (each input pixel sums the taps that read it: no atomics).
/// </summary>
internal static class ConvolutionKernels
{
    /// <summary>i over C kh kw x N OH OW: col[r, q] = x at the tap r of output pixel q, 0 in the padding.</summary>
    public static void Im2Col(Index1D i, ArrayView<float> x, ArrayView<float> col, Window g)
    {
        long cols = g.Columns;
        int r = (int)(i / cols), q = (int)(i % cols);
        int kw = r % g.KW, kh = (r / g.KW) % g.KH, c = r / (g.KW * g.KH);
        int n = q / g.OutPlane, p = q % g.OutPlane, oy = p / g.OW, ox = p % g.OW;
        int y = oy * g.Stride - g.PadTop + kh * g.Dilation, xx = ox * g.Stride - g.PadLeft + kw * g.Dilation;
        col[i] = y >= 0 && y < g.H && xx >= 0 && xx < g.W ? x[((long)(n * g.C + c) * g.H + y) * g.W + xx] : 0f;
    }

    /// <summary>i over N C H W: dx[i] = the sum of dcol over the taps that read pixel i.</summary>
    public static void Col2Im(Index1D i, ArrayView<float> dcol, ArrayView<float> dx, Window g)
    {
        int xx = (int)(i % g.W), y = (int)(i / g.W % g.H), c = (int)(i / g.Plane % g.C), n = (int)(i / ((long)g.Plane * g.C));
        long cols = g.Columns;
        float sum = 0;
        for (int kh = 0; kh < g.KH; kh++)
        {
            int ty = y + g.PadTop - kh * g.Dilation;
            if (ty < 0 || ty % g.Stride != 0) continue;
            int oy = ty / g.Stride;
            if (oy >= g.OH) continue;
            for (int kw = 0; kw < g.KW; kw++)
            {
                int tx = xx + g.PadLeft - kw * g.Dilation;
                if (tx < 0 || tx % g.Stride != 0) continue;
                int ox = tx / g.Stride;
                if (ox >= g.OW) continue;
                int r = (c * g.KH + kh) * g.KW + kw;
                sum += dcol[r * cols + (long)n * g.OutPlane + oy * g.OW + ox];
            }
        }
        dx[i] = sum;
    }

    /// <summary>i over N F P: y[n, f, p] = product[f, n P + p] + bias[f] (no bias when the view is empty).</summary>
    public static void ToImages(Index1D i, ArrayView<float> product, ArrayView<float> bias, ArrayView<float> y, int filters, int plane, int n)
    {
        int p = (int)(i % plane), f = (int)(i / plane % filters), s = (int)(i / ((long)plane * filters));
        y[i] = product[(long)f * n * plane + (long)s * plane + p] + (bias.Length > 0 ? bias[f] : 0f);
    }

    /// <summary>i over N F P: rows[f, n P + p] = dy[n, f, p], the inverse of <see cref="ToImages"/>.</summary>
    public static void ToRows(Index1D i, ArrayView<float> dy, ArrayView<float> rows, int filters, int plane, int n)
    {
        int p = (int)(i % plane), f = (int)(i / plane % filters), s = (int)(i / ((long)plane * filters));
        rows[(long)f * n * plane + (long)s * plane + p] = dy[i];
    }
}
