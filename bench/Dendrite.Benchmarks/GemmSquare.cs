using BenchmarkDotNet.Attributes;
using Dendrite.Kernels;

namespace Dendrite.Benchmarks;

/// <summary>Square SGEMM n = 1024 and 2048 (the comparison with libtorch), on 1 and 2 threads.</summary>
public class GemmSquare
{
    [Params(1024, 2048)]
    public int N { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    private float[] _a = [], _b = [], _c = [];

    private Engine _engine = Engine.Default;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new Engine(Threads);
        var rng = new Random(1);
        _a = Enumerable.Range(0, N * N).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, N * N).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[N * N];
    }

    [Benchmark]
    public void Multiply() => Gemm.Multiply(_engine, GemmPaths.Best, false, false, N, N, N, 1f, _a, N, _b, N, 0f, _c, N);
}
