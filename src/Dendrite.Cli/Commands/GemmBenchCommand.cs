using System.CommandLine;
using System.Globalization;
using Dendrite.Kernels;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite bench gemm: GFLOP/s of an N x N x N SGEMM through the engine's GEMM routine.</summary>
public static class GemmBenchCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size", "-n") { Description = "matrix size N", DefaultValueFactory = _ => 1024 };
        var threads = CliOptions.Threads();
        var seconds = new Option<double>("--seconds") { Description = "time to measure for", DefaultValueFactory = _ => 2.0 };
        var json = new Option<bool>("--json") { Description = "print one JSON line" };
        var command = new Command("gemm", "measure SGEMM GFLOP/s") { size, threads, seconds, json };
        command.SetAction(r =>
        {
            int n = CliOptions.Positive(r.GetValue(size), "--size");
            int t = CliOptions.Positive(r.GetValue(threads), "--threads");
            double s = r.GetValue(seconds);
            if (!(s > 0 && s <= 600)) throw new UsageException($"--seconds: must be in (0, 600], got {s.ToString(CultureInfo.InvariantCulture)}");
            double gflops = GemmBenchmark.MeasureGflops(n, CliOptions.Engine(t), s);
            Console.WriteLine(r.GetValue(json)
                ? string.Create(CultureInfo.InvariantCulture, $"{{\"framework\":\"dendrite\",\"size\":{n},\"threads\":{t},\"gflops\":{gflops:F1}}}")
                : string.Create(CultureInfo.InvariantCulture, $"SGEMM {n}x{n}x{n}, {t} threads: {gflops:F1} GFLOP/s"));
            return 0;
        });
        return command;
    }
}
