using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// 8 x 8 float transposes in ymm registers for the packing routines: out[i][r] = in[r][i].
/// The two packings that transpose (A stored [m, k] into MR-row panels, B stored [n, k] into NR-column
/// panels) run 8 k steps at a time through here instead of one float at a time.
/// </summary>
internal static unsafe class GemmTranspose
{
    public static bool IsSupported => Avx.IsSupported;

    /// <summary>Loads 8 rows of 8 floats (row r at src + r * ld; rows >= `rows` read as zero) and transposes them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load8x8(float* src, nint ld, int rows,
        out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
        out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        var r0 = Vector256.Load(src);
        var r1 = rows > 1 ? Vector256.Load(src + ld) : default;
        var r2 = rows > 2 ? Vector256.Load(src + 2 * ld) : default;
        var r3 = rows > 3 ? Vector256.Load(src + 3 * ld) : default;
        var r4 = rows > 4 ? Vector256.Load(src + 4 * ld) : default;
        var r5 = rows > 5 ? Vector256.Load(src + 5 * ld) : default;
        var r6 = rows > 6 ? Vector256.Load(src + 6 * ld) : default;
        var r7 = rows > 7 ? Vector256.Load(src + 7 * ld) : default;
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        o0 = Avx.Permute2x128(u0, u4, 0x20); o1 = Avx.Permute2x128(u1, u5, 0x20);
        o2 = Avx.Permute2x128(u2, u6, 0x20); o3 = Avx.Permute2x128(u3, u7, 0x20);
        o4 = Avx.Permute2x128(u0, u4, 0x31); o5 = Avx.Permute2x128(u1, u5, 0x31);
        o6 = Avx.Permute2x128(u2, u6, 0x31); o7 = Avx.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>B stored [n, k]: 8 columns of op(B) (rows of B at src + j * ldb) x 8 k steps into dst[p * nr + j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB8(float* src, nint ldb, int cols, float* dst, nint nr)
    {
        Load8x8(src, ldb, cols, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        o0.Store(dst); o1.Store(dst + nr); o2.Store(dst + 2 * nr); o3.Store(dst + 3 * nr);
        o4.Store(dst + 4 * nr); o5.Store(dst + 5 * nr); o6.Store(dst + 6 * nr); o7.Store(dst + 7 * nr);
    }

    /// <summary>A stored [m, k], 6-row panels: 6 rows (at src + r * lda) x 8 k steps into dst[p * 6 + r].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA6(float* src, nint lda, float* dst)
    {
        Load8x8(src, lda, 6, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        // Full 8-float stores overlap: each writes 2 zeros that the next k step's store overwrites; the last
        // k step stores exactly 6 floats so nothing past this block is touched.
        o0.Store(dst); o1.Store(dst + 6); o2.Store(dst + 12); o3.Store(dst + 18);
        o4.Store(dst + 24); o5.Store(dst + 30); o6.Store(dst + 36);
        o7.GetLower().Store(dst + 42);
        *(double*)(dst + 46) = o7.GetUpper().AsDouble().ToScalar();
    }
}
