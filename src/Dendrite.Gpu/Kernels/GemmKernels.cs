using ILGPU;

namespace Dendrite.Gpu;

/// <summary>
/// C = alpha op(A) op(B) + beta C on the device. An operand is read through two strides, element (i, k) of A at
/// i * A0 + k * A1, so a transpose is a swap of strides and no copy; C is row-major with row stride Ldc.
/// </summary>
internal readonly record struct GemmShape(int M, int N, int K, int A0, int A1, int B0, int B1, int Ldc, float Alpha, float Beta);

/// <summary>
/// Two GEMM kernels with the same contract. <see cref="Tiled"/> is the GPU's: a 64 x 64 tile of C per group of 16 x 16
/// threads, A's and B's 64 x 16 panels staged in shared memory, each thread holding a 4 x 4 block of C in registers
/// (rows ty + 16i, columns tx + 16j, so a warp's shared-memory reads and C writes are consecutive).
/// <see cref="Registers"/> has no shared memory and no barrier: ILGPU's CPU accelerator runs a group's threads as OS
/// threads, and its barriers made the tiled kernel 100x slower there (2.8 s against 27 ms for 64 x 256 x 784 on
/// CPU family 25, 2 cores, measured), so the CPU accelerator trains with this one; the tests check both.
/// </summary>
internal static class GemmKernels
{
    public const int Tile = 64, Threads = 16, Depth = 16;

    public static void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        var sa = SharedMemory.Allocate<float>(Depth * Tile); // [k][row]
        var sb = SharedMemory.Allocate<float>(Depth * Tile); // [k][column]
        int tx = Group.IdxX, ty = Group.IdxY, id = ty * Threads + tx;
        int row0 = Grid.IdxY * Tile, col0 = Grid.IdxX * Tile;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int k0 = 0; k0 < s.K; k0 += Depth)
        {
            for (int e = id; e < Depth * Tile; e += Threads * Threads)
            {
                int kk = e % Depth, r = e / Depth, gr = row0 + r, gk = k0 + kk;
                sa[kk * Tile + r] = gr < s.M && gk < s.K ? a[(long)gr * s.A0 + (long)gk * s.A1] : 0f;
                int col = e % Tile, kb = e / Tile, gc = col0 + col, gkb = k0 + kb;
                sb[kb * Tile + col] = gc < s.N && gkb < s.K ? b[(long)gkb * s.B0 + (long)gc * s.B1] : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < Depth; kk++)
            {
                int ka = kk * Tile;
                float a0 = sa[ka + ty], a1 = sa[ka + ty + 16], a2 = sa[ka + ty + 32], a3 = sa[ka + ty + 48];
                float b0 = sb[ka + tx], b1 = sb[ka + tx + 16], b2 = sb[ka + tx + 32], b3 = sb[ka + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }
        int r0 = row0 + ty, q0 = col0 + tx;
        Store(c, s, r0, q0, 16, c00, c01, c02, c03);
        Store(c, s, r0 + 16, q0, 16, c10, c11, c12, c13);
        Store(c, s, r0 + 32, q0, 16, c20, c21, c22, c23);
        Store(c, s, r0 + 48, q0, 16, c30, c31, c32, c33);
    }

    /// <summary>One thread per 4 x 4 block of C (rows 4y.., columns 4x..), reading A and B from device memory.</summary>
    public static void Registers(Index2D t, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        int r0 = t.Y * 4, q0 = t.X * 4;
        // Reads past the edge are clamped to the last row or column; their results are not stored.
        long ra0 = (long)Clamp(r0, s.M) * s.A0, ra1 = (long)Clamp(r0 + 1, s.M) * s.A0, ra2 = (long)Clamp(r0 + 2, s.M) * s.A0, ra3 = (long)Clamp(r0 + 3, s.M) * s.A0;
        long qb0 = (long)Clamp(q0, s.N) * s.B1, qb1 = (long)Clamp(q0 + 1, s.N) * s.B1, qb2 = (long)Clamp(q0 + 2, s.N) * s.B1, qb3 = (long)Clamp(q0 + 3, s.N) * s.B1;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int k = 0; k < s.K; k++)
        {
            long ka = (long)k * s.A1, kb = (long)k * s.B0;
            float a0 = a[ra0 + ka], a1 = a[ra1 + ka], a2 = a[ra2 + ka], a3 = a[ra3 + ka];
            float b0 = b[kb + qb0], b1 = b[kb + qb1], b2 = b[kb + qb2], b3 = b[kb + qb3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        Store(c, s, r0, q0, 1, c00, c01, c02, c03);
        Store(c, s, r0 + 1, q0, 1, c10, c11, c12, c13);
        Store(c, s, r0 + 2, q0, 1, c20, c21, c22, c23);
        Store(c, s, r0 + 3, q0, 1, c30, c31, c32, c33);
    }

    private static int Clamp(int i, int size) => i < size ? i : size - 1;

    // Row r of C at columns q, q + step, q + 2 step, q + 3 step; beta 0 ignores what C held (it may be uninitialised).
    private static void Store(ArrayView<float> c, GemmShape s, int r, int q, int step, float v0, float v1, float v2, float v3)
    {
        if (r >= s.M) return;
        long row = (long)r * s.Ldc;
        Put(c, s, row, q, v0);
        Put(c, s, row, q + step, v1);
        Put(c, s, row, q + 2 * step, v2);
        Put(c, s, row, q + 3 * step, v3);
    }

    private static void Put(ArrayView<float> c, GemmShape s, long row, int q, float v)
    {
        if (q >= s.N) return;
        long at = row + q;
        c[at] = s.Beta == 0f ? s.Alpha * v : s.Alpha * v + s.Beta * c[at];
    }
}
