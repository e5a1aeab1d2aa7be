using BenchmarkDotNet.Running;
using Dendrite.Benchmarks;
using Dendrite.Kernels;
using Dendrite;

// BenchmarkDotNet suites:   dotnet run -c Release --project bench/Dendrite.Benchmarks -- --filter '*'
// Quick square GFLOP/s:      ... -- square 1024,2048 <threads> [seconds] [path]
// Quick any shape (median):  ... -- shape m n k transA transB <threads> [seconds] [path]
// Per-call time quantiles:   ... -- dist m n k transA transB <threads> [calls]
// Per-layer inference times: ... -- layers <model> <threads> [batch] [calls]
// im2col paths, one thread:  ... -- im2col <channels> <size> <kernel> <stride> <pad> [images] [calls]
// Winograd phases:           ... -- wino <channels> <size> <filters> <batch> <threads> [rounds]
// One 3x3 conv, training:   ... -- train-conv <channels> <size> <filters> <batch> <threads> [calls]
// Plan vs layer by layer:    ... -- plan <model> <threads> [batch] [calls]
if (args.Length > 0 && args[0] == "train-layers")
{
    Console.WriteLine(TrainLayerTimes.Measure(args[1], int.Parse(args[2]), args.Length > 3 ? int.Parse(args[3]) : 64, args.Length > 4 ? int.Parse(args[4]) : 50));
    return;
}
if (args.Length > 0 && args[0] == "im2col")
{
    // im2col <channels> <size> <kernel> <stride> <pad> [images] [calls]
    var a = args[1..].Select(int.Parse).ToArray();
    Console.WriteLine(Im2ColTimes.Measure(a[0], a[1], a[2], a[3], a[4], a.Length > 5 ? a[5] : 64, a.Length > 6 ? a[6] : 30));
    return;
}
if (args.Length > 0 && args[0] == "wino")
{
    // wino <channels> <size> <filters> <batch> <threads> [rounds]: Winograd phases, row-wise and gathered, beside im2col
    var a = args[1..].Select(int.Parse).ToArray();
    Console.WriteLine(WinogradPhases.Measure(a[0], a[1], a[2], a[3], a[4], a.Length > 5 ? a[5] : 20));
    return;
}
if (args.Length > 0 && args[0] == "train-conv")
{
    var a = args[1..].Select(int.Parse).ToArray();
    Console.WriteLine(TrainConvTimes.Measure(a[0], a[1], a[2], a[3], a[4], a.Length > 5 ? a[5] : 20));
    return;
}
if (args.Length > 0 && args[0] == "elementwise")
{
    // elementwise <count>: ns per element of the activations' Apply on uniform [-3, 3) values, best of 50 calls.
    int count = int.Parse(args[1]);
    var x = new float[count];
    var y = new float[count];
    new Rng(1).Uniform(x, -3f, 3f);
    foreach (var act in Activation.All())
    {
        double best = double.MaxValue;
        for (int i = 0; i < 50; i++)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            act.Apply(x, y);
            best = Math.Min(best, System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalNanoseconds / count);
        }
        Console.WriteLine($"{act.Name,-10} {best:F3} ns per element");
    }
    return;
}
if (args.Length > 0 && args[0] == "conv-costs")
{
    // conv-costs <model> [images]: each convolution's algorithms timed on one thread as the inference plan times them (us, best of 4).
    var net = ModelSpec.Build(args[1], [1, 28, 28], 10, seed: 1, new Engine(1));
    int images = args.Length > 2 ? int.Parse(args[2]) : 16;
    foreach (var conv in net.Walk().OfType<Conv2d>())
    {
        var times = Dendrite.Inference.ConvolutionCosts.Time(conv, images);
        Console.WriteLine($"{Tensor.Format(conv.InputShape)} {conv.Spec}: " + string.Join(", ", conv.Algorithms.Select((a, i) => $"{a} {times[i]:F0} us")));
    }
    return;
}
if (args.Length > 0 && args[0] == "plan-alloc")
{
    Console.WriteLine(PlanAllocations.Measure(args[1], int.Parse(args[2]), int.Parse(args[3])));
    return;
}
if (args.Length > 0 && args[0] == "plan")
{
    Console.WriteLine(PlanTimes.Measure(args[1], int.Parse(args[2]), args.Length > 3 ? int.Parse(args[3]) : 64, args.Length > 4 ? int.Parse(args[4]) : 200));
    return;
}
if (args.Length > 0 && args[0] == "layers")
{
    Console.WriteLine(LayerTimes.Measure(args[1], int.Parse(args[2]), args.Length > 3 ? int.Parse(args[3]) : 64, args.Length > 4 ? int.Parse(args[4]) : 200));
    return;
}
if (args.Length > 0 && args[0] == "square")
{
    int threads = int.Parse(args[2]);
    double seconds = args.Length > 3 ? double.Parse(args[3]) : 2;
    GemmPath path = args.Length > 4 ? Enum.Parse<GemmPath>(args[4]) : GemmPaths.Best;
    foreach (int n in args[1].Split(',').Select(int.Parse))
        Console.WriteLine($"RESULT gemm n {n} threads {threads} path {path} gflops {GemmBenchmark.MeasureGflops(n, n, n, false, false, new Engine(threads), seconds, path):F1}");
    return;
}
if (args.Length > 0 && args[0] == "shape")
{
    int m = int.Parse(args[1]), n = int.Parse(args[2]), k = int.Parse(args[3]);
    bool ta = args[4] == "1", tb = args[5] == "1";
    int threads = int.Parse(args[6]);
    double seconds = args.Length > 7 ? double.Parse(args[7]) : 1;
    GemmPath path = args.Length > 8 ? Enum.Parse<GemmPath>(args[8]) : GemmPaths.Best;
    double gf = GemmBenchmark.MeasureGflops(m, n, k, ta, tb, new Engine(threads), seconds, path);
    Console.WriteLine($"RESULT shape m {m} n {n} k {k} transA {ta} transB {tb} threads {threads} path {path} gflops {gf:F1} us {2.0 * m * n * k / gf / 1e3:F1}");
    return;
}
if (args.Length > 0 && args[0] == "dist")
{
    int m = int.Parse(args[1]), n = int.Parse(args[2]), k = int.Parse(args[3]);
    bool ta = args[4] == "1", tb = args[5] == "1";
    int threads = int.Parse(args[6]);
    // Tuning knob: smallest m n k that may use more than one thread.
    var engine = Environment.GetEnvironmentVariable("PARALLEL_THRESHOLD") is { } flops
        ? new Engine(threads, new KernelSettings { GemmParallelThreshold = long.Parse(flops) }) : new Engine(threads);
    var rng = new Random(1);
    float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
    for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble();
    for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble();
    var times = new double[args.Length > 7 ? int.Parse(args[7]) : 2000];
    for (int rep = 0; rep < 2; rep++)
        for (int i = 0; i < times.Length; i++)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            Gemm.Multiply(engine, GemmPaths.Best, ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, c, n);
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
    Array.Sort(times);
    int q(double f) => (int)(f * (times.Length - 1));
    double best = times[0], gf = 2.0 * m * n * k / best / 1e3;
    Console.WriteLine($"min {best:F1} p10 {times[q(0.1)]:F1} p50 {times[q(0.5)]:F1} p90 {times[q(0.9)]:F1} max {times[^1]:F1} us; best {gf:F1} GFLOP/s");
    return;
}
if (args.Length > 0 && args[0] == "cpu")
{
    // cpu m n k transA transB calls [path]: single-thread GFLOP per second of this thread's CPU time (best of 3 runs).
    int m = int.Parse(args[1]), n = int.Parse(args[2]), k = int.Parse(args[3]), calls = int.Parse(args[6]);
    // Tuning knob: read B in place up to this many rows of op(A).
    var serial = Environment.GetEnvironmentVariable("DIRECT_B_MAX_ROWS") is { } rows
        ? new Engine(1, new KernelSettings { GemmDirectBMaxRows = int.Parse(rows) }) : new Engine(1);
    bool ta = args[4] == "1", tb = args[5] == "1";
    GemmPath cpuPath = args.Length > 7 ? Enum.Parse<GemmPath>(args[7]) : GemmPaths.Best;
    var rng = new Random(1);
    float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
    for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble();
    for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble();
    double best = 0;
    for (int run = 0; run < 4; run++)
    {
        double t0 = ThreadClock.Seconds();
        for (int i = 0; i < calls; i++)
            Gemm.Multiply(serial, cpuPath, ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, c, n);
        if (run > 0) best = Math.Max(best, 2.0 * m * n * k * calls / (ThreadClock.Seconds() - t0) / 1e9);
    }
    Console.WriteLine($"RESULT cpu m {m} n {n} k {k} path {cpuPath} gflops-per-cpu-second {best:F1}");
    return;
}
if (args.Length > 0 && args[0] == "grid")
{
    Console.WriteLine(GridCost.Measure(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), args[4] == "1", args[5] == "1", int.Parse(args[6])));
    return;
}
if (args.Length > 0 && args[0] == "pool")
{
    Console.WriteLine(PoolLatency.Measure(double.Parse(args[1]), int.Parse(args[2])));
    return;
}
if (args.Length > 0 && args[0] == "pack")
{
    // pack <rows> <k> <vectorized 0|1>: ns per element for A [m, k] into 6-row panels and B [n, k] into 64-column panels.
    int rows = int.Parse(args[1]), k = int.Parse(args[2]);
    GemmPacking.Vectorized = args[3] == "1";
    Console.WriteLine(PackTimer.Measure(rows, k));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
