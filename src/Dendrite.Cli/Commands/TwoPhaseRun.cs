using System.Diagnostics;
using System.Globalization;

namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite train --fit two-phase: k-means centres, then the output layer by one least-squares solve, reported as a
/// single "epoch" so the metrics file has the same shape as for backprop.
/// </summary>
public static class TwoPhaseRun
{
    public const string Backprop = "backprop", TwoPhase = "two-phase";

    /// <summary>A two-phase fit is one solve, with no steps between which to save: --checkpoint and --resume are refused.</summary>
    public static void CheckOptions(TrainSettings s)
    {
        if (s.Fit == Backprop) return;
        if (s.Checkpoint is not null) throw new UsageException($"--checkpoint: --fit {s.Fit} has no optimizer steps to checkpoint; --out writes the fitted model");
        if (s.CheckpointEvery is not null) throw new UsageException($"--checkpoint-every: --fit {s.Fit} has no optimizer steps to checkpoint");
    }

    /// <summary>Checks a --fit value.</summary>
    public static string Fit(string value) => value.ToLowerInvariant() switch
    {
        Backprop => Backprop,
        TwoPhase or "two_phase" or "twophase" => TwoPhase,
        PerceptronRun.Perceptron => PerceptronRun.Perceptron,
        _ => throw new UsageException($"--fit: '{value}' is not one of backprop, two-phase, perceptron"),
    };

    public static int Execute(Sequential net, Loss loss, Dataset train, Dataset? test, TrainSettings s, MetricsLog? metrics,
        Func<Sequential, IReadOnlyDictionary<string, double>?>? extra, Normalization normalization, ModelMetadata? metadata = null)
    {
        if (TwoPhaseFit.Unsuitable(net) is { } why) throw new UsageException($"--fit two-phase: {why}");
        Console.WriteLine($"fitting {net.Spec} ({net.ParameterCount:N0} parameters) on {train.Count:N0} samples, testing on {test?.Count ?? 0:N0}; " +
                          $"two-phase: k-means centres, then least squares (ridge {s.Ridge.ToString("G3", CultureInfo.InvariantCulture)}), {net.Engine.Threads} threads");
        var clock = Stopwatch.StartNew();
        TwoPhaseFit fit;
        try
        {
            fit = TwoPhaseFit.Run(net, train, s.Ridge, s.Options.Seed);
        }
        catch (ArithmeticException e)
        {
            throw new UsageException($"--fit two-phase: the least-squares system did not factor ({e.Message}); try a larger --ridge");
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var trainEval = Evaluator.Evaluate(net, loss, train);
        var testEval = test is null ? new Evaluation(float.NaN, float.NaN, 0) : Evaluator.Evaluate(net, loss, test);
        var m = new EpochMetrics(1, trainEval.Loss, testEval.Loss, testEval.Accuracy, train.Count / seconds, seconds, 0f, extra?.Invoke(net));
        Console.WriteLine($"centres {fit.CentreSeconds:F2} s, least squares {fit.SolveSeconds:F2} s" +
                          (fit.Jitter > 0 ? $", jitter {fit.Jitter:G2} added to factor the float32 normal matrix" : ""));
        Console.WriteLine($"two-phase  train loss {m.TrainLoss:F4}  test loss {m.TestLoss:F4}  {Describe(m)}  {m.Seconds:F2} s");
        metrics?.Write(m);
        if (s.Out is not null)
        {
            ModelFile.Save(s.Out, net, metadata ?? ModelMetadata.Describe(net, loss, train.ClassNames, normalization));
            Console.WriteLine($"wrote {s.Out}");
        }
        Console.WriteLine(Summary(m));
        return 0;
    }

    /// <summary>"test accuracy 91.20%" or "test mse 0.0012  test mae 0.0270  test r2 0.9981".</summary>
    public static string Describe(EpochMetrics m)
    {
        var parts = new List<string>();
        if (!float.IsNaN(m.TestAccuracy)) parts.Add($"test accuracy {m.TestAccuracy * 100:F2}%");
        foreach (var (name, value) in m.Extra ?? new Dictionary<string, double>())
            parts.Add($"{name.Replace('_', ' ')} {value.ToString("G4", CultureInfo.InvariantCulture)}");
        return string.Join("  ", parts);
    }

    /// <summary>The run's last line: "test accuracy: 0.9120", or the regression figures.</summary>
    public static string Summary(EpochMetrics m) => m.Extra is { Count: > 0 } extra
        ? string.Join("  ", extra.Select(e => $"{e.Key.Replace('_', ' ')}: {e.Value.ToString("G6", CultureInfo.InvariantCulture)}"))
        : $"test accuracy: {m.TestAccuracy:F4}";
}
