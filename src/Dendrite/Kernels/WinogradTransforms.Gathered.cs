using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<float>;

namespace Dendrite.Kernels;

/// <summary>
/// The same transforms with the lanes over gathered tiles: the 36 (or m x m) values of every tile sit in rows of
/// their own, one column per tile q, and a vector holds 8 consecutive columns, whichever images and tile rows they
/// come from. On small maps a tile row has fewer than 8 tiles (one at 4x4, two at 7x7, four at 14x14), so the
/// row-wise transforms leave most lanes empty; gathered, every lane works. The gather itself is
/// <see cref="Im2Col.GatherByTable"/> with a 6x6 window (or m x m for output gradients) moved m at a time, and
/// every lane does the row-wise transforms' arithmetic in the same order, so both give the same bits.
/// </summary>
internal static unsafe partial class WinogradTransforms
{
    /// <summary>
    /// In place, for q tiles: rows e = 6i + j of <paramref name="v"/> (row stride <paramref name="xiStride"/>) hold
    /// d[i, j] of each tile and end holding (Bᵀ d B)_ξ, ξ = 6k + l. Reads and writes up to 7 columns past q.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputInPlace(float* v, long xiStride, int q)
    {
        V* t = stackalloc V[36];
        V* o = stackalloc V[6];
        for (int q0 = 0; q0 < q; q0 += Lanes)
        {
            float* p = v + q0;
            for (int j = 0; j < 6; j++)
                BTransform(Vector256.Load(p + j * xiStride), Vector256.Load(p + (6 + j) * xiStride), Vector256.Load(p + (12 + j) * xiStride),
                    Vector256.Load(p + (18 + j) * xiStride), Vector256.Load(p + (24 + j) * xiStride), Vector256.Load(p + (30 + j) * xiStride), t + j, 6);
            for (int k = 0; k < 6; k++)
            {
                V* row = t + 6 * k;
                BTransform(row[0], row[1], row[2], row[3], row[4], row[5], o, 1);
                for (int l = 0; l < 6; l++) o[l].Store(p + (6 * k + l) * xiStride);
            }
        }
    }

    /// <summary>
    /// In place, for q tiles: rows k = m a + b of <paramref name="g"/> hold dY(a, b) of each m x m output-gradient tile
    /// and end holding (A dY Aᵀ)_ξ in rows ξ &lt; 36. Reads and writes up to 7 columns past q.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OutputGradientInPlace<TTile>(float* g, long xiStride, int q) where TTile : struct, ITile
    {
        int m = TTile.M;
        V* u = stackalloc V[16];
        V* s = stackalloc V[6 * 4];
        V* o = stackalloc V[6];
        for (int q0 = 0; q0 < q; q0 += Lanes)
        {
            float* p = g + q0;
            for (int k = 0; k < m * m; k++) u[k] = Vector256.Load(p + k * xiStride);
            for (int a = 0; a < m; a++) TTile.A(u + m * a, 1, s + 6 * a, 1);
            for (int c = 0; c < 6; c++)
            {
                TTile.A(s + c, 6, o, 1);
                for (int r = 0; r < 6; r++) o[r].Store(p + (6 * r + c) * xiStride);
            }
        }
    }

    /// <summary>
    /// Aᵀ M A plus the bias (then max(0, ·) when <paramref name="relu"/>) of q gathered tiles of one filter: value ξ of
    /// tile q at mt[ξ * xiStride + q]. Tile q = image i * tiles + t lands in the plane at y + i * imageStride, output k = m a + b
    /// of tile t at offset table[k * tiles + t] (-1: past the plane's edge, dropped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OutputScattered<TTile>(float* mt, long xiStride, int q, int tiles, int* table, float bias, float* y, long imageStride, bool relu)
        where TTile : struct, ITile
    {
        int m = TTile.M, mm = m * m;
        V* s = stackalloc V[6 * 4];
        V* r = stackalloc V[16];
        float* lanes = (float*)r;
        V b = Vector256.Create(bias);
        int image = 0, tile = 0; // of column q0 + lane, advanced lane by lane
        for (int q0 = 0; q0 < q; q0 += Lanes)
        {
            float* src = mt + q0;
            for (int k = 0; k < 6; k++)
            {
                float* e = src + 6 * k * xiStride;
                TTile.ATransform(Vector256.Load(e), Vector256.Load(e + xiStride), Vector256.Load(e + 2 * xiStride), Vector256.Load(e + 3 * xiStride),
                    Vector256.Load(e + 4 * xiStride), Vector256.Load(e + 5 * xiStride), s + k, 6);
            }
            for (int col = 0; col < m; col++)
            {
                V* c = s + 6 * col;
                TTile.ATransform(c[0], c[1], c[2], c[3], c[4], c[5], r + col, m);
            }
            // As the row-wise Output: with ReLU, max(0, r + bias) and then + 0; without, r + bias.
            for (int k = 0; k < mm; k++) r[k] = relu ? Vector256.Max(r[k] + b, V.Zero) + V.Zero : r[k] + b;
            for (int lane = 0, count = Math.Min(Lanes, q - q0); lane < count; lane++)
            {
                float* plane = y + image * imageStride;
                int* offsets = table + tile;
                for (int k = 0; k < mm; k++)
                {
                    int at = offsets[k * tiles];
                    if (at >= 0) plane[at] = lanes[k * Lanes + lane];
                }
                if (++tile == tiles) (tile, image) = (0, image + 1);
            }
        }
    }
}
