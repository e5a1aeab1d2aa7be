using BenchmarkDotNet.Attributes;
using Dendrite.Kernels;

namespace Dendrite.Benchmarks;

/// <summary>
/// The GEMM calls of one training step: MLP 784-256-128-10 at batch 64 (forward x W^T, weight gradient
/// dY^T X, input gradient dY W) and the CNN's im2col products, on 1 and 2 threads.
/// </summary>
[MemoryDiagnoser]
public class GemmShapes
{
    public record Shape(string Name, int M, int N, int K, bool TransA, bool TransB)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<Shape> Shapes =>
    [
        new("fc1 fwd 64x256x784 tB", 64, 256, 784, false, true),
        new("fc1 dW 256x784x64 tA", 256, 784, 64, true, false),
        new("fc2 dX 64x784x256", 64, 784, 256, false, false),
        new("fc2 fwd 64x128x256 tB", 64, 128, 256, false, true),
        new("fc3 fwd 64x10x128 tB", 64, 10, 128, false, true),
        new("conv1 32x784x25", 32, 784, 25, false, false),
        new("conv1 batch 32x50176x25", 32, 50176, 25, false, false),
        new("conv2 64x196x800", 64, 196, 800, false, false),
    ];

    [ParamsSource(nameof(Shapes))]
    public Shape S { get; set; } = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    private float[] _a = [], _b = [], _c = [];

    private Engine _engine = Engine.Default;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new Engine(Threads);
        var rng = new Random(1);
        _a = Enumerable.Range(0, S.M * S.K).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, S.K * S.N).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[S.M * S.N];
    }

    [Benchmark]
    public void Multiply()
        => Gemm.Multiply(_engine, GemmPaths.Best, S.TransA, S.TransB, S.M, S.N, S.K, 1f,
            _a, S.TransA ? S.M : S.K, _b, S.TransB ? S.K : S.N, 0f, _c, S.N);
}
