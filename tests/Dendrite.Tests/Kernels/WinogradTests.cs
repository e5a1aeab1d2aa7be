using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests; // not .Kernels: that would hide Dendrite.Kernels from the other tests

public class WinogradTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(3)]
    public void Matrices_satisfy_the_minimal_filtering_identity(int r)
    {
        var (g, at) = WinogradMatrices.For(r);
        int m = at.GetLength(0);
        Assert.Equal(6, m + r - 1);
        var rng = new Rng(11);
        for (int trial = 0; trial < 20; trial++)
        {
            // 2-D: Aᵀ [(G f Gᵀ) ⊙ (Bᵀ d B)] A = the valid correlation of the 6x6 tile d with the r x r filter f.
            double[,] d = RandomMatrix(rng, 6, 6), f = RandomMatrix(rng, r, r);
            double[,] u = TestData.Multiply(TestData.Multiply(ToDouble(g), f), Transpose(ToDouble(g)));
            double[,] v = TestData.Multiply(TestData.Multiply(ToDouble(WinogradMatrices.BT), d), Transpose(ToDouble(WinogradMatrices.BT)));
            var product = new double[6, 6];
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++) product[i, j] = u[i, j] * v[i, j];
            double[,] y = TestData.Multiply(TestData.Multiply(ToDouble(at), product), Transpose(ToDouble(at)));
            for (int a = 0; a < m; a++)
                for (int b = 0; b < m; b++)
                {
                    double expected = 0;
                    for (int i = 0; i < r; i++)
                        for (int j = 0; j < r; j++) expected += f[i, j] * d[a + i, b + j];
                    Assert.True(Math.Abs(y[a, b] - expected) < 1e-5, $"F({m}x{m}, {r}x{r}) output ({a}, {b}): {y[a, b]} vs {expected}");
                }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(3)]
    public void Filter_transform_is_G_g_Gt_and_rotates_for_backward(int r)
    {
        // 11 and 9 columns: one vector of 8 plus a scalar remainder, in both orientations.
        var rng = new Rng(5);
        int outC = 9, inC = 11;
        var w = TestData.Random(rng, outC, inC, r, r).Span.ToArray();
        var u = new float[36 * outC * inC];
        var uBack = new float[36 * outC * inC];
        WinogradFilters.Transform(w, outC, inC, r, rotate: false, u);
        WinogradFilters.Transform(w, outC, inC, r, rotate: true, uBack);
        var g = ToDouble(WinogradMatrices.For(r).G);
        for (int o = 0; o < outC; o++)
            for (int i = 0; i < inC; i++)
            {
                var f = new double[r, r];
                var turned = new double[r, r];
                for (int a = 0; a < r; a++)
                    for (int b = 0; b < r; b++)
                    {
                        f[a, b] = w[((o * inC + i) * r + a) * r + b];
                        turned[r - 1 - a, r - 1 - b] = f[a, b];
                    }
                double[,] expected = TestData.Multiply(TestData.Multiply(g, f), Transpose(g)), expectedBack = TestData.Multiply(TestData.Multiply(g, turned), Transpose(g));
                for (int xi = 0; xi < 36; xi++)
                {
                    Assert.True(Math.Abs(expected[xi / 6, xi % 6] - u[xi * outC * inC + o * inC + i]) < 1e-6, $"U[{xi}, {o}, {i}]");
                    Assert.True(Math.Abs(expectedBack[xi / 6, xi % 6] - uBack[xi * outC * inC + i * outC + o]) < 1e-6, $"U'[{xi}, {i}, {o}]");
                }
            }
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(3, 2)]
    public void Forward_matches_direct_convolution_on_random_shapes(int r, ulong seed)
    {
        var rng = new Rng(seed);
        for (int trial = 0; trial < 40; trial++)
        {
            var s = RandomShape(rng, r);
            var conv = new WinogradConvolution(s.C, s.H, s.W, s.O, r, s.PadTop, s.PadLeft, s.OutH, s.OutW);
            var x = TestData.Random(rng, s.N, s.C, s.H, s.W).Span.ToArray();
            var w = TestData.Random(rng, s.O, s.C, r, r).Span.ToArray();
            var bias = trial % 2 == 0 ? TestData.Random(rng, s.O).Span.ToArray() : [];
            var y = new float[s.N * s.O * s.OutH * s.OutW];
            y.AsSpan().Fill(float.NaN);
            conv.Forward(Engine.Default, x, s.N, w, bias, y);
            var (expected, scale) = DirectForward(x, w, bias, s, r);
            AssertWithin(expected, scale, y, s.OutH, s.OutW, r, $"forward {s}");
        }
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(3, 4)]
    public void Backward_data_matches_direct_convolution_on_random_shapes(int r, ulong seed)
    {
        var rng = new Rng(seed);
        for (int trial = 0; trial < 40; trial++)
        {
            var s = RandomShape(rng, r);
            var conv = new WinogradConvolution(s.C, s.H, s.W, s.O, r, s.PadTop, s.PadLeft, s.OutH, s.OutW);
            var dy = TestData.Random(rng, s.N, s.O, s.OutH, s.OutW).Span.ToArray();
            var w = TestData.Random(rng, s.O, s.C, r, r).Span.ToArray();
            var dx = new float[s.N * s.C * s.H * s.W];
            dx.AsSpan().Fill(float.NaN);
            conv.BackwardData(Engine.Default, dy, s.N, w, dx);
            var (expected, scale) = DirectBackwardData(dy, w, s, r);
            AssertWithin(expected, scale, dx, s.H, s.W, r, $"backward-data {s}");
        }
    }

    [Theory]
    [InlineData(5, 6)]
    [InlineData(3, 7)]
    public void Weight_gradient_matches_the_direct_sum_and_accumulates(int r, ulong seed)
    {
        var rng = new Rng(seed);
        for (int trial = 0; trial < 30; trial++)
        {
            var s = RandomShape(rng, r);
            var conv = new WinogradConvolution(s.C, s.H, s.W, s.O, r, s.PadTop, s.PadLeft, s.OutH, s.OutW);
            var x = TestData.Random(rng, s.N, s.C, s.H, s.W).Span.ToArray();
            var dy = TestData.Random(rng, s.N, s.O, s.OutH, s.OutW).Span.ToArray();
            var start = TestData.Random(rng, s.O, s.C, r, r).Span.ToArray();
            var dw = (float[])start.Clone();
            conv.WeightGradient(Engine.Default, x, dy, s.N, dw);
            // dw[o, c, i, j] - start = sum over b, oy, ox of dy[b, o, oy, ox] x[b, c, oy - padTop + i, ox - padLeft + j];
            // the tolerance scale is the filter's largest sum of |terms| (all taps share the transformed tiles).
            var sum = new double[r * r];
            var abs = new double[r * r];
            for (int o = 0; o < s.O; o++)
                for (int c = 0; c < s.C; c++)
                {
                    Array.Clear(sum);
                    Array.Clear(abs);
                    for (int tap = 0; tap < r * r; tap++)
                        for (int b = 0; b < s.N; b++)
                            for (int oy = 0; oy < s.OutH; oy++)
                                for (int ox = 0; ox < s.OutW; ox++)
                                {
                                    int iy = oy - s.PadTop + tap / r, ix = ox - s.PadLeft + tap % r;
                                    if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                                    double term = (double)dy[((b * s.O + o) * s.OutH + oy) * s.OutW + ox] * x[((b * s.C + c) * s.H + iy) * s.W + ix];
                                    sum[tap] += term;
                                    abs[tap] += Math.Abs(term);
                                }
                    double scale = abs.Max();
                    for (int tap = 0; tap < r * r; tap++)
                    {
                        int at = (o * s.C + c) * r * r + tap;
                        double got = dw[at] - (double)start[at];
                        Assert.True(Math.Abs(got - sum[tap]) <= 1e-4 * scale + 2e-7 * Math.Abs(start[at]),
                            $"{s} dw[{o}, {c}, tap {tap}]: {got} vs {sum[tap]:G9} (sum of |terms| {abs[tap]:G3}, filter's largest {scale:G3})");
                    }
                }
        }
    }

    [Fact]
    public void Blocks_of_images_give_the_same_result_as_one_block()
    {
        var rng = new Rng(9);
        var s = new Shape(5, 3, 9, 11, 4, 2, 2, 9, 11);
        var conv = new WinogradConvolution(s.C, s.H, s.W, s.O, 5, s.PadTop, s.PadLeft, s.OutH, s.OutW);
        var x = TestData.Random(rng, s.N, s.C, s.H, s.W).Span.ToArray();
        var w = TestData.Random(rng, s.O, s.C, 5, 5).Span.ToArray();
        var whole = new float[s.N * s.O * s.OutH * s.OutW];
        var blocked = new float[whole.Length];
        conv.Forward(Engine.Default, x, s.N, w, [], whole);
        var oneImagePerBlock = new Engine(Engine.Default.Threads, new KernelSettings { WinogradImageBudget = 1 });
        conv.Forward(oneImagePerBlock, x, s.N, w, [], blocked);
        Assert.Equal(whole, blocked);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Wide_planes_with_several_vectors_per_tile_row_allocate_nothing_once_warm(int r)
    {
        // 37 columns: 10 tile columns of F(4x4, 3x3), 19 of F(2x2, 5x5), so tile rows span 2 or 3 vectors with a ragged end.
        var rng = new Rng(17);
        int pad = r / 2;
        var s = new Shape(2, 9, 21, 37, 10, pad, pad, 21, 37);
        var conv = new WinogradConvolution(s.C, s.H, s.W, s.O, r, pad, pad, s.OutH, s.OutW);
        var x = TestData.Random(rng, s.N, s.C, s.H, s.W).Span.ToArray();
        var w = TestData.Random(rng, s.O, s.C, r, r).Span.ToArray();
        var bias = TestData.Random(rng, s.O).Span.ToArray();
        var dy = TestData.Random(rng, s.N, s.O, s.OutH, s.OutW).Span.ToArray();
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        conv.Forward(Engine.Default, x, s.N, w, bias, y);
        conv.BackwardData(Engine.Default, dy, s.N, w, dx);
        long before = GC.GetAllocatedBytesForCurrentThread();
        conv.Forward(Engine.Default, x, s.N, w, bias, y);
        conv.BackwardData(Engine.Default, dy, s.N, w, dx);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var (expected, scale) = DirectForward(x, w, bias, s, r);
        AssertWithin(expected, scale, y, s.OutH, s.OutW, r, "forward");
        var (expectedDx, scaleDx) = DirectBackwardData(dy, w, s, r);
        AssertWithin(expectedDx, scaleDx, dx, s.H, s.W, r, "backward-data");
    }

    [Fact]
    public void Float32_error_on_the_cnn_conv2_shape_is_close_to_im2col()
    {
        // conv(64,5,pad=2) on [N, 32, 14, 14], with He-scaled weights and ReLU-like inputs.
        var rng = new Rng(21);
        var s = new Shape(4, 32, 14, 14, 64, 2, 2, 14, 14);
        var x = TestData.Random(rng, 0f, 1f, s.N, s.C, s.H, s.W).Span.ToArray();
        float limit = MathF.Sqrt(6f / (s.C * 25));
        var w = TestData.Random(rng, -limit, limit, s.O, s.C, 5, 5).Span.ToArray();
        var (expected, scale) = DirectForward(x, w, [], s, 5);
        var wino = new float[expected.Length];
        new WinogradConvolution(s.C, s.H, s.W, s.O, 5, 2, 2, 14, 14).Forward(Engine.Default, x, s.N, w, [], wino);
        var lowered = Im2ColForward(x, w, s, 5);
        double winoError = MaxError(expected, wino), im2colError = MaxError(expected, lowered);
        double maxAbs = expected.Max(Math.Abs);
        Console.WriteLine($"conv2 [4, 32, 14, 14] -> 64: max |y| {maxAbs:G3}, max error winograd {winoError:E2}, im2col {im2colError:E2}");
        Assert.True(winoError < 1e-4 * maxAbs, $"winograd error {winoError:E2} for outputs up to {maxAbs:G3}");
        Assert.True(winoError < 30 * im2colError, $"winograd error {winoError:E2}, im2col {im2colError:E2}");
        AssertWithin(expected, scale, wino, 14, 14, 5, "conv2");
    }

    internal readonly record struct Shape(int N, int C, int H, int W, int O, int PadTop, int PadLeft, int OutH, int OutW);

    // N 1..3, C 1..5, O 1..7, padding 0..r-1 (occasionally lopsided, as 'same' padding is), H and W 1..17.
    internal static Shape RandomShape(Rng rng, int r)
    {
        int padH = rng.NextInt(r), padW = rng.NextInt(r);
        int extraH = rng.NextInt(4) == 0 ? rng.NextInt(2) : 0, extraW = rng.NextInt(4) == 0 ? rng.NextInt(2) : 0;
        int minH = Math.Max(1, r - 2 * padH - extraH), minW = Math.Max(1, r - 2 * padW - extraW);
        int h = minH + rng.NextInt(18 - minH), w = minW + rng.NextInt(18 - minW);
        return new Shape(1 + rng.NextInt(3), 1 + rng.NextInt(5), h, w, 1 + rng.NextInt(7), padH, padW,
            h + 2 * padH + extraH - r + 1, w + 2 * padW + extraW - r + 1);
    }

    /// <summary>The definition in double: y[b, o, oy, ox] = bias[o] + sum w[o, c, i, j] x[b, c, oy - padTop + i, ox - padLeft + j], and the sum of |terms|.</summary>
    private static (double[] Y, double[] Scale) DirectForward(float[] x, float[] w, float[] bias, Shape s, int r)
    {
        var y = new double[s.N * s.O * s.OutH * s.OutW];
        var scale = new double[y.Length];
        for (int b = 0; b < s.N; b++)
            for (int o = 0; o < s.O; o++)
                for (int oy = 0; oy < s.OutH; oy++)
                    for (int ox = 0; ox < s.OutW; ox++)
                    {
                        double sum = bias.Length > 0 ? bias[o] : 0, abs = Math.Abs(sum);
                        for (int c = 0; c < s.C; c++)
                            for (int i = 0; i < r; i++)
                                for (int j = 0; j < r; j++)
                                {
                                    int iy = oy - s.PadTop + i, ix = ox - s.PadLeft + j;
                                    if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                                    double term = (double)w[((o * s.C + c) * r + i) * r + j] * x[((b * s.C + c) * s.H + iy) * s.W + ix];
                                    sum += term;
                                    abs += Math.Abs(term);
                                }
                        int at = ((b * s.O + o) * s.OutH + oy) * s.OutW + ox;
                        (y[at], scale[at]) = (sum, abs);
                    }
        return (y, scale);
    }

    /// <summary>dx[b, c, iy, ix] = sum over o, i, j of dy[b, o, iy + padTop - i, ix + padLeft - j] w[o, c, i, j], and the sum of |terms|.</summary>
    private static (double[] Dx, double[] Scale) DirectBackwardData(float[] dy, float[] w, Shape s, int r)
    {
        var dx = new double[s.N * s.C * s.H * s.W];
        var scale = new double[dx.Length];
        for (int b = 0; b < s.N; b++)
            for (int o = 0; o < s.O; o++)
                for (int oy = 0; oy < s.OutH; oy++)
                    for (int ox = 0; ox < s.OutW; ox++)
                        for (int c = 0; c < s.C; c++)
                            for (int i = 0; i < r; i++)
                                for (int j = 0; j < r; j++)
                                {
                                    int iy = oy - s.PadTop + i, ix = ox - s.PadLeft + j;
                                    if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                                    int at = ((b * s.C + c) * s.H + iy) * s.W + ix;
                                    double term = (double)dy[((b * s.O + o) * s.OutH + oy) * s.OutW + ox] * w[((o * s.C + c) * r + i) * r + j];
                                    dx[at] += term;
                                    scale[at] += Math.Abs(term);
                                }
        return (dx, scale);
    }

    /// <summary>im2col + Gemm.Multiply in float32, image by image: the lowering Conv2d uses, for the accuracy comparison.</summary>
    private static float[] Im2ColForward(float[] x, float[] w, Shape s, int r)
    {
        int rows = s.C * r * r, plane = s.OutH * s.OutW;
        var col = new float[rows * plane];
        var y = new float[s.N * s.O * plane];
        for (int b = 0; b < s.N; b++)
        {
            for (int c = 0; c < s.C; c++)
                for (int i = 0; i < r; i++)
                    for (int j = 0; j < r; j++)
                        for (int oy = 0; oy < s.OutH; oy++)
                            for (int ox = 0; ox < s.OutW; ox++)
                            {
                                int iy = oy - s.PadTop + i, ix = ox - s.PadLeft + j;
                                bool inside = iy >= 0 && iy < s.H && ix >= 0 && ix < s.W;
                                col[((c * r + i) * r + j) * plane + oy * s.OutW + ox] = inside ? x[((b * s.C + c) * s.H + iy) * s.W + ix] : 0f;
                            }
            Gemm.Multiply(Engine.Default, false, false, s.O, plane, rows, 1f, w, rows, col, plane, 0f, y.AsSpan(b * s.O * plane, s.O * plane), plane);
        }
        return y;
    }

    /// <summary>
    /// |actual - expected| &lt;= 1e-4 x the sum of |terms|, taken as the largest over the output's tile neighbours
    /// (within m - 1 rows and columns): a tile's outputs share all its inputs, so an output that sees only padding
    /// inherits the rounding of its neighbours' terms.
    /// </summary>
    private static void AssertWithin(double[] expected, double[] scale, float[] actual, int h, int w, int r, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int m = r == 5 ? 2 : 4, plane = h * w;
        for (int i = 0; i < expected.Length; i++)
        {
            int p0 = i / plane * plane, y = i % plane / w, x = i % w;
            double near = 0;
            for (int yy = Math.Max(0, y - m + 1); yy < Math.Min(h, y + m); yy++)
                for (int xx = Math.Max(0, x - m + 1); xx < Math.Min(w, x + m); xx++) near = Math.Max(near, scale[p0 + yy * w + xx]);
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= 1e-4 * near,
                $"{what}: element {i} is {actual[i]}, expected {expected[i]:G9} (sum of |terms| {scale[i]:G3}, of its tile neighbours {near:G3})");
        }
    }

    private static double MaxError(double[] expected, float[] actual)
    {
        double max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        return max;
    }

    private static double[,] RandomMatrix(Rng rng, int rows, int cols)
    {
        var a = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) a[i, j] = 2 * rng.NextDouble() - 1;
        return a;
    }

    private static double[,] ToDouble(float[,] a)
    {
        var d = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) d[i, j] = a[i, j];
        return d;
    }

    private static double[,] Transpose(double[,] a)
    {
        var t = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) t[j, i] = a[i, j];
        return t;
    }

}
