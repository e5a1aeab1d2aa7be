using BenchmarkDotNet.Running;
using Dendrite.Kernels;

// BenchmarkDotNet suites:   dotnet run -c Release --project bench/Dendrite.Benchmarks -- --filter '*'
// Quick square GFLOP/s:      ... -- square 1024,2048 <threads> [seconds] [path]
// Quick any shape (median):  ... -- shape m n k transA transB <threads> [seconds] [path]
if (args.Length > 0 && args[0] == "square")
{
    int threads = int.Parse(args[2]);
    double seconds = args.Length > 3 ? double.Parse(args[3]) : 2;
    GemmPath path = args.Length > 4 ? Enum.Parse<GemmPath>(args[4]) : GemmPaths.Best;
    foreach (int n in args[1].Split(',').Select(int.Parse))
        Console.WriteLine($"RESULT gemm n {n} threads {threads} path {path} gflops {GemmBenchmark.MeasureGflops(n, n, n, false, false, threads, seconds, path):F1}");
    return;
}
if (args.Length > 0 && args[0] == "shape")
{
    int m = int.Parse(args[1]), n = int.Parse(args[2]), k = int.Parse(args[3]);
    bool ta = args[4] == "1", tb = args[5] == "1";
    int threads = int.Parse(args[6]);
    double seconds = args.Length > 7 ? double.Parse(args[7]) : 1;
    GemmPath path = args.Length > 8 ? Enum.Parse<GemmPath>(args[8]) : GemmPaths.Best;
    double gf = GemmBenchmark.MeasureGflops(m, n, k, ta, tb, threads, seconds, path);
    Console.WriteLine($"RESULT shape m {m} n {n} k {k} transA {ta} transB {tb} threads {threads} path {path} gflops {gf:F1} us {2.0 * m * n * k / gf / 1e3:F1}");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
