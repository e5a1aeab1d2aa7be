namespace Dendrite.Kernels;

/// <summary>
/// Where a kh x kw window (dilated by d) lands on an H x W plane: output pixel (oy, ox) reads the input
/// rows oy*strideH - padTop + i*dilationH, i &lt; kh (likewise for columns); positions outside the plane are
/// padding. Shared by convolution and pooling. Output size: floor((H + padTotal - d*(k-1) - 1) / stride) + 1.
/// </summary>
internal readonly record struct Window2d
{
    public int InH { get; init; }
    public int InW { get; init; }
    public int KernelH { get; init; }
    public int KernelW { get; init; }
    public int StrideH { get; init; }
    public int StrideW { get; init; }
    public int PadTop { get; init; }
    public int PadLeft { get; init; }
    /// <summary>Padding added at the top plus the bottom (may exceed 2 * PadTop for 'same').</summary>
    public int PadH { get; init; }
    public int PadW { get; init; }
    public int DilationH { get; init; }
    public int DilationW { get; init; }

    /// <summary>Height the window spans on the input: d*(k-1) + 1.</summary>
    public int SpanH => DilationH * (KernelH - 1) + 1;
    public int SpanW => DilationW * (KernelW - 1) + 1;

    /// <summary>Output height; 0 when the window does not fit the padded input.</summary>
    public int OutH => InH + PadH < SpanH ? 0 : (InH + PadH - SpanH) / StrideH + 1;
    public int OutW => InW + PadW < SpanW ? 0 : (InW + PadW - SpanW) / StrideW + 1;

    public int InPlane => InH * InW;
    public int OutPlane => OutH * OutW;
    public int KernelArea => KernelH * KernelW;

    /// <summary>
    /// A window with symmetric padding (padH rows on top and on bottom), or with TensorFlow's 'same' padding
    /// when <paramref name="same"/>: output = ceil(input / stride), the odd extra row or column going to the
    /// bottom or right (PyTorch's choice for stride 1).
    /// </summary>
    public static Window2d Create(int inH, int inW, int kernelH, int kernelW, int stride, int padH, int padW, int dilation, bool same = false)
    {
        var w = new Window2d
        {
            InH = inH, InW = inW, KernelH = kernelH, KernelW = kernelW, StrideH = stride, StrideW = stride,
            DilationH = dilation, DilationW = dilation, PadTop = padH, PadLeft = padW, PadH = 2 * padH, PadW = 2 * padW,
        };
        if (!same) return w;
        int totalH = Math.Max(0, ((inH + stride - 1) / stride - 1) * stride + w.SpanH - inH);
        int totalW = Math.Max(0, ((inW + stride - 1) / stride - 1) * stride + w.SpanW - inW);
        return w with { PadTop = totalH / 2, PadLeft = totalW / 2, PadH = totalH, PadW = totalW };
    }

    /// <summary>The output columns ox whose input column ox*stride - padLeft + offset lies inside [0, InW): [lo, hi).</summary>
    public (int Lo, int Hi) ValidColumns(int offset) => ValidRange(offset - PadLeft, StrideW, InW, OutW);

    /// <summary>The output rows oy whose input row lies inside [0, InH): [lo, hi).</summary>
    public (int Lo, int Hi) ValidRows(int offset) => ValidRange(offset - PadTop, StrideH, InH, OutH);

    // Smallest o with o*s + start >= 0, and smallest o with o*s + start >= size, both clamped to [0, outSize].
    private static (int, int) ValidRange(int start, int s, int size, int outSize)
    {
        int lo = start >= 0 ? 0 : (-start + s - 1) / s;
        int hi = size - start <= 0 ? 0 : (size - start + s - 1) / s;
        return (Math.Min(lo, outSize), Math.Clamp(hi, Math.Min(lo, outSize), outSize));
    }
}
