using System.Runtime.CompilerServices;

namespace Dendrite.Kernels;

/// <summary>
/// The GotoBLAS/BLIS loop nest around one microkernel, for one chunk C[i0:i1, j0:j1] (at most NC columns):
///   pc (KC deep) -> ir (MR rows: the A micro-panel MR x KC stays in L1)
///     -> jr (NR columns: the B block KC x NC stays in L2 and its micro-panels stream through L1).
/// Blocks of A and B are packed just in time into the call's shared GemmWorkspace by whichever thread first
/// needs them; `reverse` walks the tiles backwards so that two threads sharing blocks pack different ones
/// instead of queueing behind each other (tile order never changes a result).
/// Determinism: every element of C sums k in the same order (KC blocks in turn, p ascending within a block,
/// one FMA chain per lane) whatever chunk or thread computes it, and k is never split across threads, so
/// results are bit-identical for any thread count.
/// </summary>
[SkipLocalsInit] // the tile below is the kernel's output (beta 0), never read before it is written
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem pr, GemmWorkspace ws, int i0, int i1, int j0, int j1, bool reverse)
    {
        int mr = TKernel.MR, nr = TKernel.NR, kcMax = TKernel.KC;
        float* tile = stackalloc float[mr * nr];
        // Direct B: full panels are read in place from row-major B; only a ragged last panel is packed.
        int directEnd = pr.DirectB ? pr.N / nr * nr : 0;
        for (int pc = 0, kb = 0; pc < pr.K; pc += kcMax, kb++)
        {
            int kc = Math.Min(kcMax, pr.K - pc);
            float beta = pc == 0 ? pr.Beta : 1f;
            int rowTiles = (i1 - i0 + mr - 1) / mr, colTiles = (j1 - j0 + nr - 1) / nr;
            for (int ti = 0; ti < rowTiles; ti++)
            {
                int ir = i0 + (reverse ? rowTiles - 1 - ti : ti) * mr;
                int rows = Math.Min(mr, pr.M - ir);
                float* ap = PanelA(pr, ws, ir / mr, kb, pc, kc);
                float* cRow = pr.C + (nint)ir * pr.Ldc;
                for (int tj = 0; tj < colTiles; tj++)
                {
                    int jr = j0 + (reverse ? colTiles - 1 - tj : tj) * nr;
                    int cols = Math.Min(nr, pr.N - jr);
                    float* bp;
                    nint bStride;
                    if (jr < directEnd) { bp = pr.B + (nint)pc * pr.Ldb + jr; bStride = pr.Ldb; }
                    else { bp = PanelB(pr, ws, jr / nr, kb, pc, kc); bStride = nr; }
                    if (pr.TransposedC)
                    {
                        TKernel.Run(kc, ap, bp, bStride, tile, nr, pr.Alpha, 0f);
                        MergeTileTransposed(tile, nr, pr.C + (nint)jr * pr.Ldc + ir, pr.Ldc, rows, cols, beta);
                    }
                    else if (rows == mr && cols == nr)
                        TKernel.Run(kc, ap, bp, bStride, cRow + jr, pr.Ldc, pr.Alpha, beta);
                    else
                    {
                        TKernel.Run(kc, ap, bp, bStride, tile, nr, pr.Alpha, 0f);
                        MergeTile(tile, nr, cRow + jr, pr.Ldc, rows, cols, beta);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float* PanelA(in GemmProblem pr, GemmWorkspace ws, int panel, int kb, int pc, int kc)
    {
        int mr = TKernel.MR;
        float* dst = ws.PackedA + (nint)panel * mr * pr.K + (nint)pc * mr;
        if (ws.ClaimA(panel, kb))
        {
            GemmPacking.PackA(mr, pr.TransA, pr.A, pr.Lda, panel * mr, Math.Min(mr, pr.M - panel * mr), pc, kc, dst);
            ws.PublishA(panel, kb);
        }
        return dst;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float* PanelB(in GemmProblem pr, GemmWorkspace ws, int panel, int kb, int pc, int kc)
    {
        int nr = TKernel.NR;
        float* dst = ws.PackedB + (nint)panel * nr * pr.K + (nint)pc * nr;
        if (ws.ClaimB(panel, kb))
        {
            GemmPacking.PackB(nr, pr.TransB, pr.B, pr.Ldb, pc, kc, panel * nr, Math.Min(nr, pr.N - panel * nr), dst);
            ws.PublishB(panel, kb);
        }
        return dst;
    }

    // Same arithmetic as the kernels' store (alpha * acc already in the tile, then + beta * c, unfused).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeTile(float* tile, int ldt, float* c, nint ldc, int rows, int cols, float beta)
    {
        for (int i = 0; i < rows; i++, tile += ldt, c += ldc)
        {
            if (beta == 0f)
                for (int j = 0; j < cols; j++) c[j] = tile[j];
            else
                for (int j = 0; j < cols; j++) c[j] = tile[j] + beta * c[j];
        }
    }

    // Tile element (i, j) belongs at c[j * ldc + i] (see GemmProblem.TransposedC); same arithmetic as MergeTile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeTileTransposed(float* tile, int ldt, float* c, nint ldc, int rows, int cols, float beta)
    {
        for (int j = 0; j < cols; j++, c += ldc)
        {
            if (beta == 0f)
                for (int i = 0; i < rows; i++) c[i] = tile[i * ldt + j];
            else
                for (int i = 0; i < rows; i++) c[i] = tile[i * ldt + j] + beta * c[i];
        }
    }
}
