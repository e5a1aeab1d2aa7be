namespace Dendrite.Kernels;

/// <summary>
/// The GotoBLAS/BLIS loop nest around one microkernel, for the block C[i0:i1, j0:j1] of a problem:
///   ic (MC rows) -> pc (KC deep) -> pack A[ic, pc] (L3) -> jc (NC columns) -> pack B[pc, jc] (L2)
///     -> ir (MR rows: one A micro-panel stays in L1) -> jr (NR columns: B micro-panels stream from L2).
/// Every element of C sums k in the same order (KC blocks in turn, p ascending within a block) whatever
/// block it belongs to, so the split across threads never changes a result bit.
/// </summary>
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmKernel
{
    public static void Run(in GemmProblem pr, int i0, int i1, int j0, int j1, GemmWorkspace ws)
    {
        int mr = TKernel.MR, nr = TKernel.NR, kcMax = Math.Min(TKernel.KC, pr.K);
        int mcMax = Math.Min(TKernel.MC, RoundUp(i1 - i0, mr)), ncMax = Math.Min(TKernel.NC, RoundUp(j1 - j0, nr));
        float* aPack = ws.PackedA((nint)RoundUp(mcMax, mr) * kcMax);
        float* bPack = ws.PackedB((nint)RoundUp(ncMax, nr) * kcMax);
        float* tile = ws.Tile(mr * nr);

        for (int ic = i0; ic < i1; ic += TKernel.MC)
        {
            int mc = Math.Min(TKernel.MC, i1 - ic);
            for (int pc = 0; pc < pr.K; pc += TKernel.KC)
            {
                int kc = Math.Min(TKernel.KC, pr.K - pc);
                float beta = pc == 0 ? pr.Beta : 1f;
                GemmPacking.PackA(mr, pr.TransA, pr.A, pr.Lda, ic, mc, pc, kc, aPack);
                for (int jc = j0; jc < j1; jc += TKernel.NC)
                {
                    int nc = Math.Min(TKernel.NC, j1 - jc);
                    // Direct B: full panels are read in place; only a ragged last panel is packed.
                    int direct = pr.DirectB ? nc / nr * nr : 0;
                    if (direct < nc) GemmPacking.PackB(nr, pr.TransB, pr.B, pr.Ldb, pc, kc, jc + direct, nc - direct, bPack);
                    Block(pr, aPack, bPack, tile, direct, ic, mc, pc, kc, jc, nc, beta);
                }
            }
        }
    }

    private static void Block(in GemmProblem pr, float* aPack, float* bPack, float* tile, int direct,
        int ic, int mc, int pc, int kc, int jc, int nc, float beta)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* ap = aPack + (nint)ir * kc;
            float* cRow = pr.C + (nint)(ic + ir) * pr.Ldc + jc;
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                float* bp;
                nint bStride;
                if (jr < direct) { bp = pr.B + (nint)pc * pr.Ldb + jc + jr; bStride = pr.Ldb; }
                else { bp = bPack + (nint)(jr - direct) * kc; bStride = nr; }
                if (rows == mr && cols == nr)
                    TKernel.Run(kc, ap, bp, bStride, cRow + jr, pr.Ldc, pr.Alpha, beta);
                else
                {
                    TKernel.Run(kc, ap, bp, bStride, tile, nr, pr.Alpha, 0f);
                    MergeTile(tile, nr, cRow + jr, pr.Ldc, rows, cols, beta);
                }
            }
        }
    }

    // Same arithmetic as the kernels' store (alpha * acc already in the tile, then + beta * c, unfused).
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

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
