using System.Text.Json;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>Carries out a train command: data, model, loop, progress, metrics file.</summary>
public static class TrainRun
{
    public static int Execute(TrainSettings s)
    {
        CliOptions.ApplyThreads(s.Threads);
        var loss = Choices.Loss(s.Loss);
        var optimizer = Choices.Optimizer(s.Optimizer, s.LearningRate, s.Momentum, s.WeightDecay);
        var schedule = Choices.Schedule(s.Schedule, s.Epochs);
        LayerSpec.ParseAll(ModelSpec.Resolve(s.Model)); // a bad spec fails before the data loads
        using var metrics = MetricsFile.Open(s.Metrics);

        var (train, test) = CliOptions.LoadData(s.Data, s.TrainLimit, s.TestLimit);
        var net = ModelSpec.Build(s.Model, train.SampleShape, train.OutputSize, s.Seed);
        var trainer = new Trainer(net, loss, optimizer) { Schedule = schedule };
        var report = TrainReport.Open(s, net, test);
        var loader = new DataLoader(train, s.Batch, shuffle: true, new Rng(s.Seed ^ 0x5DEECE66DUL));
        Console.WriteLine($"training {net.Spec} ({net.ParameterCount:N0} parameters) on {train.Count:N0} samples, " +
                          $"testing on {test.Count:N0}; {optimizer.Name} lr {optimizer.LearningRate:G3}, batch {s.Batch}, {Engine.Threads} threads");

        trainer.EpochEnded = m =>
        {
            Console.WriteLine($"epoch {m.Epoch}/{s.Epochs}  train loss {m.TrainLoss:F4}  test loss {m.TestLoss:F4}  " +
                              $"test accuracy {m.TestAccuracy * 100:F2}%  {m.TrainSamplesPerSecond:N0} samples/s  {m.Seconds:F1} s");
            metrics?.Write(m);
            report?.EpochEnded(m);
        };
        IReadOnlyList<EpochMetrics> history = Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
            ? trainer.Fit(loader, test, s.Epochs)
            : WithProgress(trainer, loader, test, s.Epochs);
        Console.WriteLine($"test accuracy: {history[^1].TestAccuracy:F4}");
        return 0;
    }

    private static IReadOnlyList<EpochMetrics> WithProgress(Trainer trainer, DataLoader loader, Dataset test, int epochs)
    {
        IReadOnlyList<EpochMetrics> history = [];
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int samples = 0;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                trainer.BatchEnded = (epoch, b, batches, loss) =>
                {
                    if (b == 0)
                    {
                        task?.StopTask();
                        task = ctx.AddTask($"epoch {epoch}", maxValue: batches);
                        samples = 0;
                        clock.Restart();
                    }
                    samples += loader.BatchSize;
                    task!.Increment(1);
                    if (b % 20 == 0 || b == batches - 1)
                        task.Description = $"epoch {epoch}  loss {loss:F4}  {samples / clock.Elapsed.TotalSeconds:N0} samples/s";
                };
                history = trainer.Fit(loader, test, epochs);
                task?.StopTask();
            });
        return history;
    }
}
