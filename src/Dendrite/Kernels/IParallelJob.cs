namespace Dendrite.Kernels;

/// <summary>Work that WorkerPool spreads over threads as independent chunks, each run exactly once.</summary>
internal interface IParallelJob
{
    void Execute(int chunk);
}
