namespace Dendrite.Kernels;

/// <summary>
/// Direct convolution straight from the definition, in double precision: what the tests hold the
/// im2col + GEMM path of <see cref="Conv2d"/> against. x is [N, C, H, W], w is [O, C, kh, kw], y is [N, O, OH, OW].
/// y[n, o, oy, ox] = b[o] + sum over c, i, j of w[o, c, i, j] * x[n, c, oy*s - padTop + i*d, ox*s - padLeft + j*d].
/// </summary>
internal static class ConvolutionReference
{
    public static void Forward(ReadOnlySpan<float> x, int n, int channels, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        int filters, in Window2d g, Span<float> y)
    {
        for (int b = 0; b < n; b++)
            for (int o = 0; o < filters; o++)
                for (int oy = 0; oy < g.OutH; oy++)
                    for (int ox = 0; ox < g.OutW; ox++)
                    {
                        double sum = bias.IsEmpty ? 0 : bias[o];
                        for (int c = 0; c < channels; c++)
                            for (int i = 0; i < g.KernelH; i++)
                                for (int j = 0; j < g.KernelW; j++)
                                    if (Input(g, b, channels, c, oy, ox, i, j) is int at and >= 0)
                                        sum += (double)w[((o * channels + c) * g.KernelH + i) * g.KernelW + j] * x[at];
                        y[((b * filters + o) * g.OutH + oy) * g.OutW + ox] = (float)sum;
                    }
    }

    /// <summary>dx = sum over outputs of dy * w (dx is overwritten) and dw += sum over outputs of dy * x.</summary>
    public static void Backward(ReadOnlySpan<float> x, int n, int channels, ReadOnlySpan<float> w, int filters, in Window2d g,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw)
    {
        var dxSum = new double[n * channels * g.InPlane];
        var dwSum = new double[filters * channels * g.KernelArea];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < filters; o++)
                for (int oy = 0; oy < g.OutH; oy++)
                    for (int ox = 0; ox < g.OutW; ox++)
                    {
                        double d = dy[((b * filters + o) * g.OutH + oy) * g.OutW + ox];
                        for (int c = 0; c < channels; c++)
                            for (int i = 0; i < g.KernelH; i++)
                                for (int j = 0; j < g.KernelW; j++)
                                    if (Input(g, b, channels, c, oy, ox, i, j) is int at and >= 0)
                                    {
                                        int wi = ((o * channels + c) * g.KernelH + i) * g.KernelW + j;
                                        dxSum[at] += d * w[wi];
                                        dwSum[wi] += d * x[at];
                                    }
                    }
        for (int i = 0; i < dxSum.Length; i++) dx[i] = (float)dxSum[i];
        for (int i = 0; i < dwSum.Length; i++) dw[i] += (float)dwSum[i];
    }

    /// <summary>Index into x of the input under kernel tap (i, j) of output (oy, ox), or -1 in the padding.</summary>
    private static int Input(in Window2d g, int b, int channels, int c, int oy, int ox, int i, int j)
    {
        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
        int ix = ox * g.StrideW - g.PadLeft + j * g.DilationW;
        if (iy < 0 || iy >= g.InH || ix < 0 || ix >= g.InW) return -1;
        return ((b * channels + c) * g.InH + iy) * g.InW + ix;
    }
}
