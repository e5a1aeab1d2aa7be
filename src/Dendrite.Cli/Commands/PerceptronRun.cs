using System.Diagnostics;

namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite train --fit perceptron: one layer of threshold units, <c>dense(K),step</c>, trained by Rosenblatt's rule
/// (<see cref="PerceptronRule"/>), one pass over the shuffled training set per epoch, stopping at the first pass without a
/// mistake. Each epoch line gives the pass's mistakes and the test accuracy (the unit that fires; ties go to the first).
/// </summary>
public static class PerceptronRun
{
    public const string Perceptron = "perceptron";

    public static int Execute(Sequential net, Dataset train, Dataset? test, TrainSettings s, MetricsLog? metrics)
    {
        var dense = Layer(net, train);
        var rule = new PerceptronRule(s.Options.LearningRate ?? 1f);
        var rng = new Rng(s.Options.Seed ^ Trainer.LoaderSeed);
        Console.WriteLine($"fitting {net.Spec} ({net.ParameterCount:N0} parameters) on {train.Count:N0} samples by the perceptron rule " +
                          $"(rate {rule.Rate:G3}), testing on {test?.Count ?? 0:N0}");
        float accuracy = float.NaN;
        for (int epoch = 1; epoch <= s.Options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            int mistakes = rule.Fit(dense, train, 1, rng)[0];
            double seconds = clock.Elapsed.TotalSeconds;
            accuracy = test is null ? float.NaN : Accuracy(net, test);
            var m = new EpochMetrics(epoch, (float)mistakes / train.Count, float.NaN, accuracy, train.Count / Math.Max(seconds, 1e-9), seconds, rule.Rate,
                new Dictionary<string, double> { ["mistakes"] = mistakes });
            metrics?.Write(m);
            Console.WriteLine($"epoch {epoch}/{s.Options.Epochs}  mistakes {mistakes:N0} of {train.Count:N0}" +
                              (test is null ? "" : $"  test accuracy {accuracy * 100:F2}%"));
            if (mistakes == 0)
            {
                Console.WriteLine($"no mistakes in pass {epoch}: the training set is separated");
                break;
            }
        }
        Console.WriteLine($"test accuracy: {accuracy:F4}");
        return 0;
    }

    // The one dense layer of a network that is nothing else but flatten and step.
    private static Dense Layer(Sequential net, Dataset train)
    {
        var dense = net.Layers.OfType<Dense>().ToList();
        if (dense.Count != 1 || net.Layers.Any(l => l is not (Dense or Flatten or Step)) || dense[0].Bias is null)
            throw new UsageException($"--fit perceptron: trains one layer of threshold units, e.g. --model dense({train.OutputSize}),step; {net.Spec} is not one");
        return dense[0];
    }

    /// <summary>The share of samples whose largest output is at their label (the first on ties).</summary>
    public static float Accuracy(Sequential net, Dataset data)
    {
        var outputs = Evaluator.Predict(net, data.Features, data.Count);
        int k = outputs.Length / data.Count, right = 0;
        for (int i = 0; i < data.Count; i++)
            if (Kernels.Elementwise.ArgMax(outputs.AsSpan(i * k, k)) == data.Labels[i]) right++;
        return (float)right / data.Count;
    }
}
