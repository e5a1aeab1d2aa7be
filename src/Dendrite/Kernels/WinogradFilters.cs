using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector256<float>;

namespace Dendrite.Kernels;

/// <summary>
/// The filter side of Winograd convolution: U = G g Gᵀ for the forward and the backward-data products, and its
/// adjoint dw += Gᵀ dU G for the weight gradient (the matrices of <see cref="WinogradMatrices"/>).
/// </summary>
[SkipLocalsInit]
internal static unsafe class WinogradFilters
{
    /// <summary>
    /// U = G g Gᵀ of every r x r filter of w [outChannels, inChannels, r, r]. Forward: u[ξ, o, i] (the GEMM's
    /// [outChannels, inChannels] operand). Backward-data (<paramref name="rotate"/>): the filters turned by 180
    /// degrees and u[ξ, i, o], the weights of dx = dy ⋆ rot(w)ᵀ. Vectorised over 8 neighbouring columns of u
    /// (their filters gathered at a stride); the last few columns go through the scalar version in double. Only rows
    /// [<paramref name="first"/>, <paramref name="end"/>) of u when given (end -1: all): rows of u are output channels
    /// forward, input channels with <paramref name="rotate"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transform(ReadOnlySpan<float> w, int outChannels, int inChannels, int r, bool rotate, Span<float> u, int first = 0, int end = -1)
    {
        int pairs = outChannels * inChannels, area = r * r;
        if (w.Length < pairs * area || u.Length < 36 * pairs)
            throw new ArgumentException($"winograd: {w.Length} filter values and room for {u.Length} transformed, [{outChannels}, {inChannels}, {r}, {r}] needs {pairs * area} and {36 * pairs}");
        int rows = rotate ? inChannels : outChannels, cols = rotate ? outChannels : inChannels;
        int colStride = rotate ? inChannels * area : area, rowStride = rotate ? area : inChannels * area;
        V* g = stackalloc V[25];
        V* h = stackalloc V[30];
        V* t = stackalloc V[6];
        var index = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * colStride;
        fixed (float* pw = w, pu = u)
            for (int row = first, last = end < 0 ? rows : end; row < last; row++)
            {
                int col = 0;
                for (; col + WinogradTransforms.Lanes <= cols; col += WinogradTransforms.Lanes)
                {
                    float* src = pw + (long)row * rowStride + (long)col * colStride;
                    for (int e = 0; e < area; e++)
                        g[rotate ? area - 1 - e : e] = Avx2.IsSupported ? Avx2.GatherVector256(src + e, index, 4)
                            : Vector256.Create(src[e], src[e + colStride], src[e + 2 * colStride], src[e + 3 * colStride],
                                src[e + 4 * colStride], src[e + 5 * colStride], src[e + 6 * colStride], src[e + 7 * colStride]);
                    for (int c = 0; c < r; c++)
                    {
                        GTransform(g + c, r, r, t);
                        for (int k = 0; k < 6; k++) h[k * r + c] = t[k];
                    }
                    float* dst = pu + (long)row * cols + col;
                    for (int k = 0; k < 6; k++)
                    {
                        GTransform(h + k * r, 1, r, t);
                        for (int l = 0; l < 6; l++) t[l].Store(dst + (long)(6 * k + l) * pairs);
                    }
                }
                for (; col < cols; col++)
                {
                    int o = rotate ? col : row, i = rotate ? row : col;
                    FilterScalar(w.Slice((o * inChannels + i) * area, area), r, rotate, u[(row * cols + col)..], pairs);
                }
            }
    }

    // G applied to r vectors v[0], v[stride], ...: the rows of WinogradMatrices.G5 / G3, i.e. g(0)/4, g(1)/6,
    // g(-1)/6, g(2)/24, g(-2)/24, g(∞) with g(a) = sum v_k a^k, from the even and odd parts of g.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GTransform(V* v, int stride, int r, V* t)
    {
        V even1 = v[0], even2 = v[0], odd1 = V.Zero, odd2 = V.Zero;
        float power = 2;
        for (int k = 1; k < r; k++, power *= 2)
        {
            V x = v[k * stride];
            if ((k & 1) == 0) { even1 += x; even2 = Vector256.MultiplyAddEstimate(Vector256.Create(power), x, even2); }
            else { odd1 += x; odd2 = Vector256.MultiplyAddEstimate(Vector256.Create(power), x, odd2); }
        }
        t[0] = v[0] * 0.25f;
        t[1] = (even1 + odd1) * (1f / 6);
        t[2] = (even1 - odd1) * (1f / 6);
        t[3] = (even2 + odd2) * (1f / 24);
        t[4] = (even2 - odd2) * (1f / 24);
        t[5] = v[(r - 1) * stride];
    }

    // One filter's U in double, written to u[ξ * pairs]: the vector loop's remainder.
    private static void FilterScalar(ReadOnlySpan<float> src, int r, bool rotate, Span<float> u, int pairs)
    {
        int area = r * r;
        Span<double> g = stackalloc double[area];
        Span<double> h = stackalloc double[6 * r];
        Span<double> t = stackalloc double[6];
        for (int e = 0; e < area; e++) g[e] = src[rotate ? area - 1 - e : e];
        for (int col = 0; col < r; col++)
        {
            GTransform(g[col..], r, r, t);
            for (int k = 0; k < 6; k++) h[k * r + col] = t[k];
        }
        for (int k = 0; k < 6; k++)
        {
            GTransform(h[(k * r)..], 1, r, t);
            for (int l = 0; l < 6; l++) u[(6 * k + l) * pairs] = (float)t[l];
        }
    }

    // G applied to r values v[0], v[stride], ...: g(0)/4, g(1)/6, g(-1)/6, g(2)/24, g(-2)/24, g(∞) with g(a) = sum v_k a^k.
    private static void GTransform(ReadOnlySpan<double> v, int stride, int r, Span<double> t)
    {
        double even1 = 0, odd1 = 0, even2 = 0, odd2 = 0, power = 1;
        for (int k = 0; k < r; k++, power *= 2)
        {
            double x = v[k * stride];
            if ((k & 1) == 0) { even1 += x; even2 += power * x; }
            else { odd1 += x; odd2 += power * x; }
        }
        t[0] = v[0] / 4;
        t[1] = (even1 + odd1) / 6;
        t[2] = (even1 - odd1) / 6;
        t[3] = (even2 + odd2) / 24;
        t[4] = (even2 - odd2) / 24;
        t[5] = v[(r - 1) * stride];
    }

    /// <summary>
    /// dw[o, i] += Gᵀ du[ξ, o, i] G for every filter: the adjoint of <see cref="Transform"/> (forward orientation), in
    /// double. Four filters at a time in the lanes of a vector (du holds them side by side), each lane summing the
    /// same terms in the same order as the scalar loop that takes the rest, so every filter gets the same bits. Only
    /// filters [<paramref name="first"/>, <paramref name="end"/>) (flat o * inChannels + i) when given (end -1: all).
    /// </summary>
    public static void Adjoint(ReadOnlySpan<float> du, int outChannels, int inChannels, int r, Span<float> dw, int first = 0, int end = -1)
    {
        int pairs = outChannels * inChannels, area = r * r, last = end < 0 ? pairs : end;
        if (du.Length < 36 * pairs || dw.Length < pairs * area)
            throw new ArgumentException($"winograd: {du.Length} transformed gradients and {dw.Length} filter values, [{outChannels}, {inChannels}, {r}, {r}] needs {36 * pairs} and {pairs * area}");
        var g = WinogradMatrices.For(r).G;
        int f = first;
        if (Vector256.IsHardwareAccelerated)
        {
            Span<Vector256<double>> d = stackalloc Vector256<double>[36], t = stackalloc Vector256<double>[6 * 5], gv = stackalloc Vector256<double>[6 * 5];
            for (int k = 0; k < 6; k++)
                for (int i = 0; i < r; i++) gv[k * r + i] = Vector256.Create((double)g[k, i]);
            for (; f + 4 <= last; f += 4)
            {
                for (int xi = 0; xi < 36; xi++)
                {
                    var four = Vector128.Create(du.Slice(xi * pairs + f, 4));
                    d[xi] = Vector256.Create(Vector128.WidenLower(four), Vector128.WidenUpper(four));
                }
                for (int i = 0; i < r; i++)
                    for (int c = 0; c < 6; c++)
                    {
                        var sum = Vector256<double>.Zero;
                        for (int k = 0; k < 6; k++) sum += gv[k * r + i] * d[6 * k + c];
                        t[6 * i + c] = sum;
                    }
                for (int i = 0; i < r; i++)
                    for (int j = 0; j < r; j++)
                    {
                        var sum = Vector256<double>.Zero;
                        for (int c = 0; c < 6; c++) sum += t[6 * i + c] * gv[c * r + j];
                        for (int lane = 0; lane < 4; lane++) dw[(f + lane) * area + i * r + j] += (float)sum.GetElement(lane);
                    }
            }
        }
        Span<double> ds = stackalloc double[36];
        Span<double> ts = stackalloc double[6 * 5];
        for (; f < last; f++)
        {
            for (int xi = 0; xi < 36; xi++) ds[xi] = du[xi * pairs + f];
            for (int i = 0; i < r; i++)
                for (int c = 0; c < 6; c++)
                {
                    double sum = 0;
                    for (int k = 0; k < 6; k++) sum += g[k, i] * ds[6 * k + c];
                    ts[6 * i + c] = sum;
                }
            var dst = dw.Slice(f * area, area);
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++)
                {
                    double sum = 0;
                    for (int c = 0; c < 6; c++) sum += ts[6 * i + c] * g[c, j];
                    dst[i * r + j] += (float)sum;
                }
        }
    }
}
