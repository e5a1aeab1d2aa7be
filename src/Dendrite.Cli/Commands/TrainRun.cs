using System.Text.Json;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>Carries out a train command: data, model, loop, progress, metrics file.</summary>
public static class TrainRun
{
    /// <summary>Runs the training <paramref name="s"/> describes, continuing from <paramref name="resumed"/> when given.</summary>
    public static int Execute(TrainSettings s, Checkpoint? resumed = null)
    {
        var o = s.Options;
        if (s.Report is not null && (TabularRun.IsCsv(s.Data) || s.Fit == TwoPhaseRun.TwoPhase))
            throw new UsageException("--report: only for IDX image data trained by backprop; CSV data and --fit two-phase have no report");
        if (TabularRun.IsCsv(s.Data))
        {
            if (InputNormalization.Parse(o.Normalize) is not { IsNone: true })
                throw new UsageException("--normalize: for IDX image data; the columns of CSV data are standardised already");
            return TabularRun.Execute(s);
        }
        if (s.Target is not null || s.Task is not null) throw new UsageException("--target and --task are for CSV data (--data FILE.csv)");
        var engine = CliOptions.Engine(s.Threads);
        // Every name and value is checked before the data loads, with the option named.
        var loss = Choices.Loss(o.Loss);
        Choices.Optimizer(o.Optimizer, o.LearningRate, o.Momentum, o.WeightDecay);
        Choices.Schedule(o.Schedule, o.Epochs);
        bool file = s.Spec is not null || resumed is null && ModelSource.IsFile(s.Model);
        if (s.Spec is not null && !File.Exists(s.Model)) throw new UsageException($"--spec: --model {s.Model} must be a file of weights");
        if (s.Spec is not null || !file) LayerSpec.ParseAll(ModelSpec.Resolve(s.Spec ?? s.Model)); // a bad spec fails before the data loads
        InputNormalization.Parse(o.Normalize);
        using var metrics = CliOptions.OpenMetrics(s.Metrics, resumed?.Position.Epoch);

        var (train, test) = CliOptions.LoadData(s.Data, s.TrainLimit, s.TestLimit,
            CliOptions.ImageOptions(s.ImageSize, s.Channels, s.CentreCrop, s.SkipBadImages, s.TestFraction, o.Seed));
        var net = resumed?.Model.Net ?? (file ? Initial(s, train, engine, ref o) : ModelSpec.Build(s.Model, train.SampleShape, train.OutputSize, o.Seed, engine));
        net.Engine = engine; // a resumed model was loaded before its thread count was known
        if (!net.InputShape.SequenceEqual(train.SampleShape))
            throw new UsageException($"--data: samples are {Tensor.Format(train.SampleShape)}, the checkpoint's model takes {Tensor.Format(net.InputShape)}");
        if (s.Fit == TwoPhaseRun.TwoPhase)
        {
            var n = resumed?.Model.Metadata.Normalization ?? o.ResolveNormalization(train);
            n.Apply(train.Features);
            n.Apply(test.Features);
            return TwoPhaseRun.Execute(net, loss, train, test, s, metrics, null);
        }
        Augmentation(o.Augment, train.SampleShape);
        var run = resumed is null ? TrainingRun.Start(net, train, test, o) : TrainingRun.Resume(resumed, train, test, o);
        var trainer = run.Trainer;
        var optimizer = trainer.Optimizer;
        var normalization = run.Normalization;
        var report = TrainReport.Open(s, net, test, normalization);
        var from = run.From;
        var checkpoints = s.Checkpoint is null ? null : new TrainCheckpoints(s.Checkpoint, s.CheckpointEvery, run, s);
        if (resumed is not null)
            Console.WriteLine($"resuming from {resumed.Path}: epoch {from.Epoch}, batch {from.Batch}, step {optimizer.Steps}");
        var augment = run.Augmentation;
        Console.WriteLine($"training {net.Spec} ({net.ParameterCount:N0} parameters) on {train.Count:N0} samples, " +
                          $"testing on {test.Count:N0}; {optimizer.Name} lr {optimizer.LearningRate:G3}, batch {o.Batch}, {net.Engine.Threads} threads" +
                          (augment is null ? "" : $", augment {augment}") +
                          (normalization.IsNone ? "" : $", inputs (x - {normalization.Mean:G4}) / {normalization.Std:G4}"));

        trainer.EpochEnded = m =>
        {
            Console.WriteLine($"epoch {m.Epoch}/{o.Epochs}  train loss {m.TrainLoss:F4}  test loss {m.TestLoss:F4}  " +
                              $"test accuracy {m.TestAccuracy * 100:F2}%  {m.TrainSamplesPerSecond:N0} samples/s  {m.Seconds:F1} s");
            metrics?.Write(m);
            report?.EpochEnded(m);
        };
        checkpoints?.Attach(run);
        IReadOnlyList<EpochMetrics> history;
        try
        {
            history = Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
                ? run.Fit().ToList()
                : WithProgress(run);
        }
        catch (TrainingDivergedException e) when (checkpoints?.Last is { } last)
        {
            throw new UsageException($"{e.Message}; the last good checkpoint, {last}, is kept");
        }
        if (s.Out is not null) ModelFile.Save(s.Out, net, run.Metadata);
        Console.WriteLine(history.Count > 0
            ? $"test accuracy: {history[^1].TestAccuracy:F4}"
            : $"the checkpoint had already finished all {o.Epochs} epochs");
        return 0;
    }

    // Fine-tuning: the network and weights of a model file (with --spec, a file saved elsewhere). A Dendrite model file's
    // input normalisation is kept unless --normalize says otherwise.
    private static Sequential Initial(TrainSettings s, Dataset train, Engine engine, ref TrainingOptions o)
    {
        var saved = CliOptions.LoadModel(s.Model, s.Spec, () => train.SampleShape, engine);
        if (!saved.Net.InputShape.SequenceEqual(train.SampleShape))
            throw new UsageException($"--data: samples are {Tensor.Format(train.SampleShape)}, the model in {s.Model} takes {Tensor.Format(saved.Net.InputShape)}");
        if (saved.Metadata.Outputs != train.OutputSize)
            throw new UsageException($"--model: {s.Model} has {saved.Metadata.Outputs} outputs, the data {train.OutputSize}");
        var n = saved.Metadata.Normalization;
        if (!n.IsNone && InputNormalization.Parse(o.Normalize) is { IsNone: true })
            o = o with { Normalize = FormattableString.Invariant($"{n.Mean:R},{n.Std:R}") };
        return saved.Net;
    }

    // Checks --augment before the run is built (which parses it again).
    private static void Augmentation(string text, int[] sampleShape)
    {
        try
        {
            ImageAugmentation.Parse(text, sampleShape);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--augment: {e.Message}");
        }
    }

    private static IReadOnlyList<EpochMetrics> WithProgress(TrainingRun run)
    {
        var trainer = run.Trainer;
        var loader = run.Loader;
        IReadOnlyList<EpochMetrics> history = [];
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int samples = 0;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                trainer.BatchEnded += (epoch, b, batches, loss) =>
                {
                    if (b == 0 || task is null)
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
                history = run.Fit().ToList();
                task?.StopTask();
            });
        return history;
    }
}
