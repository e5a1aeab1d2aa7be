using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector256<float>;

namespace Dendrite.Kernels;

/// <summary>
/// The tile transforms of Winograd convolution, vectorised over 8 neighbouring tiles of a tile row: input tiles
/// V = Bᵀ d B, output tiles Y = Aᵀ M A and output gradients A dY Aᵀ (filters: <see cref="WinogradFilters"/>) (the matrices of <see cref="WinogradMatrices"/>
/// written out with shared sub-sums). Transformed values are stored as [36, rows, ld]: element ξ = 6k + l of
/// every tile, one row per channel, one column per tile, so each of the 36 products is a plain GEMM.
/// </summary>
[SkipLocalsInit]
internal static unsafe partial class WinogradTransforms
{
    /// <summary>Tiles per vector. 256 bits, not 512: the cnn's 14x14 planes have rows of 7 tiles (and 28x28 of 14).</summary>
    public const int Lanes = 8;

    /// <summary>
    /// Copies plane [h, w] into the zero-padded, column-deinterleaved layout the input transform reads: row r holds
    /// input row r - padTop; within a row, phase p (p &lt; m) holds the columns x ≡ p (mod m) at [p*len, p*len + len),
    /// column x being input column x - padLeft. Tile (ty, tx) then reads its 6 values of row i, column j at
    /// row m*ty + i, phase j % m, index tx + j / m: 8 neighbouring tiles are 8 contiguous floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pad(float* src, int h, int w, int padTop, int padLeft, int m, int rows, int len, float* dst)
    {
        // Only the image's own positions are written: the padding stays zero from ClearPadded, for every plane.
        int rowStride = m * len, shift = m == 2 ? 1 : 2;
        int xLo = Math.Max(0, padLeft), xHi = Math.Min(rowStride, w + padLeft);
        int rLo = Math.Max(0, padTop), rHi = Math.Min(rows, h + padTop);
        for (int r = rLo; r < rHi; r++)
        {
            float* line = src + (long)(r - padTop) * w - padLeft, row = dst + r * rowStride;
            for (int p = 0; p < m; p++)
            {
                int x = xLo + ((p - xLo) & (m - 1));
                float* phase = row + p * len + (x >> shift);
                for (; x < xHi; x += m) *phase++ = line[x];
            }
        }
    }

    /// <summary>Zeros the padded plane; <see cref="Pad"/> then only ever writes the image's positions.</summary>
    public static void ClearPadded(float* dst, int m, int rows, int len) => new Span<float>(dst, rows * m * len).Clear();

    /// <summary>
    /// Bᵀ d B of every tile of one padded plane (see <see cref="Pad"/>): value ξ of tile (ty, tx) goes to
    /// v[ξ * xiStride + ty * tilesW + tx]. The last vector of a tile row writes up to 7 values past the row's end;
    /// the caller visits tiles in increasing order and leaves 8 floats of slack after each row of V.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Input(float* padded, int m, int len, int tilesH, int tilesW, float* v, long xiStride)
    {
        V* t = stackalloc V[36];
        V* o = stackalloc V[6];
        int rowStride = m * len;
        int* column = stackalloc int[6];
        for (int j = 0; j < 6; j++) column[j] = j % m * len + j / m;
        for (int ty = 0; ty < tilesH; ty++)
            for (int tx = 0; tx < tilesW; tx += Lanes)
            {
                float* p = padded + (long)m * ty * rowStride + tx;
                for (int j = 0; j < 6; j++)
                {
                    float* col = p + column[j];
                    BTransform(Vector256.Load(col), Vector256.Load(col + rowStride), Vector256.Load(col + 2 * rowStride),
                        Vector256.Load(col + 3 * rowStride), Vector256.Load(col + 4 * rowStride), Vector256.Load(col + 5 * rowStride), t + j, 6);
                }
                float* dst = v + ty * tilesW + tx;
                for (int k = 0; k < 6; k++)
                {
                    V* row = t + 6 * k;
                    BTransform(row[0], row[1], row[2], row[3], row[4], row[5], o, 1);
                    for (int l = 0; l < 6; l++) o[l].Store(dst + (6 * k + l) * xiStride);
                }
            }
    }

    // Bᵀ applied to six values: the rows of WinogradMatrices.BT with their shared sums.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BTransform(V d0, V d1, V d2, V d3, V d4, V d5, V* t, int stride)
    {
        V two = Vector256.Create(2f), four = Vector256.Create(4f), minusFive = Vector256.Create(-5f);
        t[0] = Fma(four, d0, Fma(minusFive, d2, d4));
        t[stride] = Fma(four, d1 + d2, -(d3 + d4));
        t[2 * stride] = Fma(four, d2 - d1, d3 - d4);
        V a = d3 - d1, b = d4 - d2;
        t[3 * stride] = Fma(two, a, b);
        t[4 * stride] = Fma(-two, a, b);
        t[5 * stride] = Fma(four, d1, Fma(minusFive, d3, d5));
    }

    /// <summary>
    /// Aᵀ M A of every tile of one output plane [outH, outW], plus the bias: value ξ of tile (ty, tx) is read at
    /// mt[ξ * xiStride + ty * tilesW + tx] (up to 7 values past a tile row are read and ignored). With
    /// <paramref name="relu"/>, max(0, ·) of that (NaN stays NaN, as in the ReLU layer).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Output<TTile>(float* mt, long xiStride, int tilesH, int tilesW, float bias, float* y, int outH, int outW, bool relu = false)
        where TTile : struct, ITile
    {
        int m = TTile.M;
        V* s = stackalloc V[6 * 4];
        V* r = stackalloc V[16];
        float* line = stackalloc float[Lanes * 4];
        V b = Vector256.Create(bias), add = relu ? V.Zero : b;
        for (int ty = 0; ty < tilesH; ty++)
            for (int tx = 0; tx < tilesW; tx += Lanes)
            {
                float* src = mt + ty * tilesW + tx;
                for (int k = 0; k < 6; k++)
                {
                    float* e = src + 6 * k * xiStride;
                    TTile.ATransform(Vector256.Load(e), Vector256.Load(e + xiStride), Vector256.Load(e + 2 * xiStride), Vector256.Load(e + 3 * xiStride),
                        Vector256.Load(e + 4 * xiStride), Vector256.Load(e + 5 * xiStride), s + k, 6);
                }
                // s[6a' + k] holds row k transformed to column a'; now the columns.
                for (int col = 0; col < m; col++)
                {
                    V* c = s + 6 * col;
                    TTile.ATransform(c[0], c[1], c[2], c[3], c[4], c[5], r + col, m);
                }
                // With ReLU the bias is added here and Interleave adds zero, which changes no value.
                if (relu)
                    for (int k = 0; k < m * m; k++) r[k] = Vector256.Max(r[k] + b, V.Zero);
                // r[m*a + col] is output (m*ty + a, m*(tx + lane) + col).
                int x0 = m * tx, count = Math.Min(Lanes * m, outW - x0);
                for (int a = 0; a < m && m * ty + a < outH; a++)
                {
                    float* dst = y + (long)(m * ty + a) * outW + x0;
                    if (count == Lanes * m)
                        TTile.Interleave(r + m * a, add, dst);
                    else
                    {
                        TTile.Interleave(r + m * a, add, line);
                        StorePartial(line, count, dst);
                    }
                }
            }
    }

    // dst[0, count) = src[0, count), count < 32: whole vectors, then one masked store (AVX-512VL or AVX), else scalar.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePartial(float* src, int count, float* dst)
    {
        int i = 0;
        for (; i + Lanes <= count; i += Lanes) Vector256.Load(src + i).Store(dst + i);
        int rest = count - i;
        if (rest == 0) return;
        if (Avx.IsSupported)
        {
            var mask = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(rest)).AsSingle();
            if (Avx512F.VL.IsSupported) Avx512F.VL.MaskStore(dst + i, mask, Vector256.Load(src + i));
            else Avx.MaskStore(dst + i, mask, Vector256.Load(src + i));
            return;
        }
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>
    /// A dY Aᵀ of every m x m tile of one output-gradient plane, padded by <see cref="Pad"/> with no offset: the
    /// adjoint of the output transform, for the weight gradient dU_ξ = sum over tiles of (A dY Aᵀ)_ξ (Bᵀ d B)_ξ.
    /// Value ξ of tile (ty, tx) goes to g[ξ * xiStride + ty * tilesW + tx]; stores spill like <see cref="Input"/>'s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OutputGradient<TTile>(float* padded, int len, int tilesH, int tilesW, float* g, long xiStride)
        where TTile : struct, ITile
    {
        int m = TTile.M, rowStride = m * len;
        V* u = stackalloc V[16];
        V* s = stackalloc V[6 * 4];
        V* o = stackalloc V[6];
        for (int ty = 0; ty < tilesH; ty++)
            for (int tx = 0; tx < tilesW; tx += Lanes)
            {
                // u[m*a + b] = dY(m*ty + a, m*(tx + lane) + b); then along b: s[6a + ξc]; then along a.
                for (int a = 0; a < m; a++)
                    for (int b = 0; b < m; b++) u[m * a + b] = Vector256.Load(padded + (long)(m * ty + a) * rowStride + b * len + tx);
                for (int a = 0; a < m; a++) TTile.A(u + m * a, 1, s + 6 * a, 1);
                float* dst = g + ty * tilesW + tx;
                for (int c = 0; c < 6; c++)
                {
                    TTile.A(s + c, 6, o, 1);
                    for (int r = 0; r < 6; r++) o[r].Store(dst + (6 * r + c) * xiStride);
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Fma(V a, V b, V c) => Vector256.MultiplyAddEstimate(a, b, c);

    /// <summary>The output side of one tiling: its tile size m, Aᵀ, and how m column vectors become one output row.</summary>
    public interface ITile
    {
        static abstract int M { get; }

        /// <summary>Aᵀ applied to six values; output i goes to t[i * stride].</summary>
        static abstract void ATransform(V m0, V m1, V m2, V m3, V m4, V m5, V* t, int stride);

        /// <summary>dst[m * lane + col] = r[col][lane] + bias: m vectors of columns into Lanes * m contiguous floats.</summary>
        static abstract void Interleave(V* r, V bias, float* dst);

        /// <summary>A (6 x m, the transpose of Aᵀ) applied to m values u[0], u[stride], ...; output i goes to t[i * tStride].</summary>
        static abstract void A(V* u, int stride, V* t, int tStride);
    }

    /// <summary>F(2x2, 5x5): Aᵀ = WinogradMatrices.AT2.</summary>
    public struct Tile2 : ITile
    {
        public static int M => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void A(V* u, int stride, V* t, int tStride)
        {
            V u0 = u[0], u1 = u[stride];
            t[0] = u0;
            t[tStride] = u0 + u1;
            t[2 * tStride] = u0 - u1;
            t[3 * tStride] = Fma(Vector256.Create(2f), u1, u0);
            t[4 * tStride] = Fma(Vector256.Create(-2f), u1, u0);
            t[5 * tStride] = u1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ATransform(V m0, V m1, V m2, V m3, V m4, V m5, V* t, int stride)
        {
            t[0] = m0 + (m1 + m2) + (m3 + m4);
            t[stride] = Fma(Vector256.Create(2f), m3 - m4, m1 - m2) + m5;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Interleave(V* r, V bias, float* dst)
        {
            V c0 = r[0] + bias, c1 = r[1] + bias;
            if (Avx.IsSupported)
            {
                V lo = Avx.UnpackLow(c0, c1), hi = Avx.UnpackHigh(c0, c1);
                Avx.Permute2x128(lo, hi, 0x20).Store(dst);
                Avx.Permute2x128(lo, hi, 0x31).Store(dst + Lanes);
                return;
            }
            for (int i = 0; i < Lanes; i++)
            {
                dst[2 * i] = c0.GetElement(i);
                dst[2 * i + 1] = c1.GetElement(i);
            }
        }
    }

    /// <summary>F(4x4, 3x3): Aᵀ = WinogradMatrices.AT4.</summary>
    public struct Tile4 : ITile
    {
        public static int M => 4;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void A(V* u, int stride, V* t, int tStride)
        {
            V u0 = u[0], u1 = u[stride], u2 = u[2 * stride], u3 = u[3 * stride];
            V even = u0 + u2, odd = u1 + u3, even2 = Fma(Vector256.Create(4f), u2, u0), odd2 = Fma(Vector256.Create(8f), u3, u1 + u1);
            t[0] = u0;
            t[tStride] = even + odd;
            t[2 * tStride] = even - odd;
            t[3 * tStride] = even2 + odd2;
            t[4 * tStride] = even2 - odd2;
            t[5 * tStride] = u3;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ATransform(V m0, V m1, V m2, V m3, V m4, V m5, V* t, int stride)
        {
            V p = m1 + m2, q = m1 - m2, r = m3 + m4, s = m3 - m4;
            t[0] = m0 + p + r;
            t[stride] = Fma(Vector256.Create(2f), s, q);
            t[2 * stride] = Fma(Vector256.Create(4f), r, p);
            t[3 * stride] = Fma(Vector256.Create(8f), s, q) + m5;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Interleave(V* r, V bias, float* dst)
        {
            V c0 = r[0] + bias, c1 = r[1] + bias, c2 = r[2] + bias, c3 = r[3] + bias;
            if (Avx.IsSupported)
            {
                var a0 = Avx.UnpackLow(c0, c1).AsDouble();  // lanes 0,1 | 4,5 of columns 0 and 1
                var a1 = Avx.UnpackHigh(c0, c1).AsDouble(); // lanes 2,3 | 6,7
                var b0 = Avx.UnpackLow(c2, c3).AsDouble();
                var b1 = Avx.UnpackHigh(c2, c3).AsDouble();
                V l0 = Avx.UnpackLow(a0, b0).AsSingle(), l1 = Avx.UnpackHigh(a0, b0).AsSingle(); // lanes 0 | 4, 1 | 5
                V l2 = Avx.UnpackLow(a1, b1).AsSingle(), l3 = Avx.UnpackHigh(a1, b1).AsSingle(); // lanes 2 | 6, 3 | 7
                Avx.Permute2x128(l0, l1, 0x20).Store(dst);
                Avx.Permute2x128(l2, l3, 0x20).Store(dst + Lanes);
                Avx.Permute2x128(l0, l1, 0x31).Store(dst + 2 * Lanes);
                Avx.Permute2x128(l2, l3, 0x31).Store(dst + 3 * Lanes);
                return;
            }
            for (int i = 0; i < Lanes; i++)
            {
                dst[4 * i] = c0.GetElement(i);
                dst[4 * i + 1] = c1.GetElement(i);
                dst[4 * i + 2] = c2.GetElement(i);
                dst[4 * i + 3] = c3.GetElement(i);
            }
        }
    }
}
