using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests;

/// <summary>
/// Scope in which every GEMM, however small, is cut into chunks for the worker pool (Gemm.ParallelThreshold = 0),
/// so small test shapes exercise the threaded path; the threshold is restored on Dispose. Other tests running
/// meanwhile only see their products split differently, which never changes a result bit.
/// </summary>
internal readonly struct GemmAlwaysParallel : IDisposable
{
    private readonly long _saved;

    public GemmAlwaysParallel()
    {
        _saved = Gemm.ParallelThreshold;
        Gemm.ParallelThreshold = 0;
    }

    public void Dispose() => Gemm.ParallelThreshold = _saved;
}
