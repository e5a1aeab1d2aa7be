namespace Dendrite.Kernels;

/// <summary>Work that WorkerPool runs on `count` threads at once: part `index` of `count` on each.</summary>
internal interface IParallelJob
{
    void Execute(int index, int count);
}
