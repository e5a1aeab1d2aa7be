namespace Dendrite.Kernels;

/// <summary>
/// One GEMM call split over threads: C is cut into `count` slabs of whole microkernel panels, either
/// column slabs (NR-wide, each thread packs its own part of B and all of A) or row slabs (MR-high).
/// The split is over m or n only, never over k, so no partial sums are ever added across threads.
/// </summary>
internal sealed class GemmTask : IParallelJob
{
    [ThreadStatic] private static GemmTask? _current;

    /// <summary>The calling thread's task object, reused call after call.</summary>
    public static GemmTask Current => _current ??= new GemmTask();

    public GemmProblem Problem;
    public GemmPath Path;
    public bool SplitColumns;

    public void Execute(int index, int count)
    {
        ref readonly GemmProblem pr = ref Problem;
        (int mr, int nr) = Gemm.TileOf(Path);
        int i0 = 0, i1 = pr.M, j0 = 0, j1 = pr.N;
        if (SplitColumns) Slab(pr.N, nr, index, count, out j0, out j1);
        else Slab(pr.M, mr, index, count, out i0, out i1);
        if (i0 >= i1 || j0 >= j1) return;
        var ws = GemmWorkspace.Current;
        switch (Path)
        {
            case GemmPath.Avx512: GemmDriver<GemmKernelAvx512>.Run(pr, i0, i1, j0, j1, ws); break;
            case GemmPath.Avx2: GemmDriver<GemmKernelAvx2>.Run(pr, i0, i1, j0, j1, ws); break;
            default: GemmDriver<GemmKernelPortable>.Run(pr, i0, i1, j0, j1, ws); break;
        }
    }

    // Part `index` of `count` near-equal runs of whole panels along a dimension of `size`.
    private static void Slab(int size, int panel, int index, int count, out int start, out int end)
    {
        int panels = (size + panel - 1) / panel;
        start = (int)((long)panels * index / count) * panel;
        end = Math.Min(size, (int)((long)panels * (index + 1) / count) * panel);
    }
}
