using System.Runtime.CompilerServices;

namespace Dendrite.Kernels;

/// <summary>
/// One GEMM call cut into chunks for the WorkerPool: a grid of colBlocks x rowBlocks rectangles of C made of
/// whole microkernel tiles, at most NC columns wide (so a chunk's B block fits L2). Chunks run in any order
/// on any thread; the cut is over m and n only, never over k, so no partial sums are added across threads.
/// </summary>
internal sealed class GemmTask : IParallelJob
{
    [ThreadStatic] private static GemmTask? _current;

    /// <summary>
    /// The calling thread's task, reused call after call, with its packing workspace. Per calling thread rather than
    /// per engine: a thread runs one GEMM at a time whichever engine it names, so two engines used from two threads
    /// each get their own task, and one engine's pool helps with the task of the thread that called it.
    /// </summary>
    public static GemmTask Current => _current ??= new GemmTask();

    public GemmProblem Problem;
    public GemmPath Path;
    public readonly GemmWorkspace Workspace = new();
    private int _mr, _nr, _rowPanels, _colPanels, _rowBlocks, _colBlocks;

    public int Chunks => _rowBlocks * _colBlocks;

    /// <summary>Chooses the chunk grid (aiming at `target` chunks) and resets the workspace for this call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Plan(int target, int kc, int nc)
    {
        (_mr, _nr) = Gemm.TileOf(Path);
        ref readonly GemmProblem pr = ref Problem;
        _rowPanels = (pr.M + _mr - 1) / _mr;
        _colPanels = (pr.N + _nr - 1) / _nr;
        int ncPanels = nc / _nr;
        int minColBlocks = (_colPanels + ncPanels - 1) / ncPanels;
        (_rowBlocks, _colBlocks) = (1, minColBlocks);
        if (target > 1) ChooseGrid(target, minColBlocks, pr.M, pr.N);
        // Only a matrix wider than 2^29 columns needs wider chunks than NC to stay within the pool's limit.
        _colBlocks = Math.Min(_colBlocks, WorkerPool.MaxChunks / _rowBlocks);
        Workspace.Prepare(_rowPanels, _colPanels, _mr, _nr, pr.K, kc);
    }

    // Among the grids with at least `target` chunks (or the most there can be), the one that streams the least
    // packed data: a chunk reads its rows of A and its columns of B, so the total is
    // K * (colBlocks * M + rowBlocks * N). Run one after another on one thread, 8 chunks cost within 2% of
    // one chunk for the training shapes and 1024^3 (measured, bench `grid` mode).
    private void ChooseGrid(int target, int minColBlocks, int m, int n)
    {
        long best = long.MaxValue;
        int most = 0;
        for (int r = 1; r <= _rowPanels; r++)
        {
            int c = Math.Min(_colPanels, Math.Max(minColBlocks, (target + r - 1) / r));
            int chunks = Math.Min(r * c, target);
            long traffic = (long)c * m + (long)r * n;
            if (chunks > most || (chunks == most && traffic < best))
                (most, best, _rowBlocks, _colBlocks) = (chunks, traffic, r, c);
            if (c == minColBlocks && r * c >= target) break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int chunk)
    {
        // Column block outermost: consecutive chunks share a B block.
        Range(_rowPanels, _rowBlocks, chunk % _rowBlocks, _mr, Problem.M, out int i0, out int i1);
        Range(_colPanels, _colBlocks, chunk / _rowBlocks, _nr, Problem.N, out int j0, out int j1);
        if (i0 >= i1 || j0 >= j1) return;
        bool reverse = (chunk & 1) == 1;
        switch (Path)
        {
            case GemmPath.Avx512: GemmDriver<GemmKernelAvx512>.Run(Problem, Workspace, i0, i1, j0, j1, reverse); break;
            case GemmPath.Avx2: GemmDriver<GemmKernelAvx2>.Run(Problem, Workspace, i0, i1, j0, j1, reverse); break;
            default: GemmDriver<GemmKernelPortable>.Run(Problem, Workspace, i0, i1, j0, j1, reverse); break;
        }
    }

    // Block `index` of `blocks` near-equal runs of whole panels along a dimension of `size`.
    private static void Range(int panels, int blocks, int index, int panel, int size, out int start, out int end)
    {
        start = (int)((long)panels * index / blocks) * panel;
        end = Math.Min(size, (int)((long)panels * (index + 1) / blocks) * panel);
    }
}
