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
            // The FMA peak of one core, measured right after, times the threads: what the figure is a share of.
            double peak = GemmBenchmark.MeasurePeakGflops() * t, share = 100 * gflops / peak;
            Console.WriteLine(r.GetValue(json)
                ? string.Create(CultureInfo.InvariantCulture, $"{{\"framework\":\"dendrite\",\"size\":{n},\"threads\":{t},\"gflops\":{gflops:F1},\"peak_gflops\":{peak:F1},\"percent_of_peak\":{share:F1}}}")
                : string.Create(CultureInfo.InvariantCulture, $"SGEMM {n}x{n}x{n}, {t} threads: {gflops:F1} GFLOP/s, {share:F0}% of the measured FMA peak ({peak:F1} GFLOP/s for {t} core{(t == 1 ? "" : "s")})"));
            return 0;
        });
        return command;
    }
}
