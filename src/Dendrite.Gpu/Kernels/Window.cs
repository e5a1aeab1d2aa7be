namespace Dendrite.Gpu;

/// <summary>
/// A convolution's or pooling's geometry as the kernels read it (a blittable copy of the core's Window2d plus the
/// channel and batch counts): output (oy, ox) reads input rows oy * Stride - PadTop + i * Dilation, i &lt; KH.
/// </summary>
internal readonly record struct Window(int N, int C, int H, int W, int KH, int KW, int Stride, int PadTop, int PadLeft,
    int Dilation, int OH, int OW)
{
    public int Plane => H * W;
    public int OutPlane => OH * OW;
    /// <summary>Rows of the column matrix: C * KH * KW.</summary>
    public int Rows => C * KH * KW;
    /// <summary>Columns of the column matrix: N * OH * OW.</summary>
    public int Columns => N * OH * OW;

    public static Window Of(Dendrite.Kernels.Window2d g, int n, int c) =>
        new(n, c, g.InH, g.InW, g.KernelH, g.KernelW, g.StrideH, g.PadTop, g.PadLeft, g.DilationH, g.OutH, g.OutW);
}
