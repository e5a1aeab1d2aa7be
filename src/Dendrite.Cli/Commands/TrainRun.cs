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
        if (s.Report is not null && (TabularRun.IsCsv(s.Data) || s.Fit != TwoPhaseRun.Backprop))
            throw new UsageException("--report: only for IDX image data trained by backprop; CSV data, --fit two-phase and --fit perceptron have no report");
        if (s.Fit != TwoPhaseRun.Backprop && s.Device != "cpu")
            throw new UsageException($"--device {s.Device}: --fit {s.Fit} runs on the CPU only; leave out --device");
        TwoPhaseRun.CheckOptions(s);
        if (s.Stream && s.Fit != TwoPhaseRun.Backprop) throw new UsageException($"--stream: --fit {s.Fit} needs every sample in memory; leave out --stream");
        if (TabularRun.IsCsv(s.Data))
        {
            if (InputNormalization.Parse(o.Normalize) is not { IsNone: true })
                throw new UsageException("--normalize: for IDX image data; the columns of CSV data are standardised already");
            return TabularRun.Execute(s, resumed);
        }
        if (s.Target is not null || s.Task is not null) throw new UsageException("--target and --task are for CSV data (--data FILE.csv)");
        var engine = CliOptions.Engine(s.Threads, s.Device);
        // Every name and value is checked before the data loads, with the option named.
        var loss = Choices.Loss(o.Loss, o.LabelSmoothing);
        Choices.Optimizer(o.Optimizer, o.LearningRate, o.Momentum, o.WeightDecay);
        Choices.Schedule(o.Schedule, o.Epochs);
        bool file = s.Spec is not null || resumed is null && ModelSource.IsFile(s.Model);
        if (s.Spec is not null && !File.Exists(s.Model)) throw new UsageException($"--spec: --model {s.Model} must be a file of weights");
        if (s.Spec is not null || !file) LayerSpec.ParseAll(ModelSpec.Resolve(s.Spec ?? s.Model)); // a bad spec fails before the data loads
        InputNormalization.Parse(o.Normalize);
        using var metrics = CliOptions.OpenMetrics(s.Metrics, resumed?.Position.Epoch);

        var (train, test) = CliOptions.LoadData(s.Data, s.TrainLimit, s.TestLimit, s.MemoryLimit,
            CliOptions.ImageOptions(s.ImageSize, s.Channels, s.CentreCrop, s.SkipBadImages, s.TestFraction, o.Seed) with { Stream = s.Stream });
        if (resumed is null && (s.Spec is not null || !file)) CliOptions.CheckTrainingMemory(s.Spec ?? s.Model, train.SampleShape, o.Batch, s.MemoryLimit);
        var net = resumed?.Model.Net ?? (file ? Initial(s, train, engine, ref o) : ModelSpec.Build(s.Model, train.SampleShape, train.OutputSize, o.Seed, engine, s.MemoryLimit));
        net.Engine = engine; // a resumed model was loaded before its thread count was known
        if (!net.InputShape.SequenceEqual(train.SampleShape))
            throw new UsageException($"--data: samples are {Tensor.Format(train.SampleShape)}, the checkpoint's model takes {Tensor.Format(net.InputShape)}");
        if (s.Fit == TwoPhaseRun.TwoPhase)
        {
            var n = resumed?.Model.Metadata.Normalization ?? o.ResolveNormalization(train);
            train.Normalize(n);
            test.Normalize(n);
            return TwoPhaseRun.Execute(net, loss, train, test, s, metrics, null, n);
        }
        if (s.Fit == PerceptronRun.Perceptron)
        {
            var n = o.ResolveNormalization(train);
            train.Normalize(n);
            test.Normalize(n);
            int exit = PerceptronRun.Execute(net, train, test, s, metrics);
            if (s.Out is not null) ModelFile.Save(s.Out, net, ModelMetadata.Describe(net, loss, train.ClassNames, n));
            return exit;
        }
        Augmentation(o.Augment, train.SampleShape);
        var run = resumed is null ? TrainingRun.Start(net, train, test, o) : TrainingRun.Resume(resumed, train, test, o);
        var trainer = run.Trainer;
        var optimizer = trainer.Optimizer;
        CliOptions.OnDevice(net, optimizer);
        var normalization = run.Normalization;
        var report = TrainReport.Open(s, net, test, normalization);
        var from = run.From;
        using var checkpoints = s.Checkpoint is null ? null : new TrainCheckpoints(s.Checkpoint, s.CheckpointEvery, run, s);
        if (resumed is not null)
            Console.WriteLine($"resuming from {resumed.Path}: epoch {from.Epoch}, batch {from.Batch}, step {optimizer.Steps}");
        var augment = run.Augmentation;
        var stop = StopSignals.Stoppable(); // from here a first Ctrl-C stops the run cleanly (a test waits for the next line)
        Console.WriteLine($"training {net.Spec} ({net.ParameterCount:N0} parameters) on {train.Count:N0} samples, " +
                          $"testing on {test.Count:N0}; {optimizer.Name} lr {optimizer.LearningRate:G3}, batch {o.Batch}, " +
                          (engine.Backend is null ? $"{net.Engine.Threads} threads" : $"on {engine}") +
                          (augment is null ? "" : $", augment {augment}") +
                          (o.LabelSmoothing == 0 ? "" : $", label smoothing {o.LabelSmoothing:G3}") +
                          (normalization.IsNone ? "" : $", inputs {normalization}"));

        var warned = new HashSet<Layer>();
        trainer.EpochEnded = m =>
        {
            Console.WriteLine($"epoch {m.Epoch}/{o.Epochs}  train loss {m.TrainLoss:F4}  test loss {m.TestLoss:F4}  " +
                              $"test accuracy {m.TestAccuracy * 100:F2}%  {m.TrainSamplesPerSecond:N0} samples/s  {m.Seconds:F1} s");
            metrics?.Write(m);
            report?.EpochEnded(m);
            WarnDeadUnits(net, run.Test, m.Epoch, warned);
        };
        LogSteps(trainer, metrics, s.MetricsEvery);
        checkpoints?.Attach(run);
        IReadOnlyList<EpochMetrics> history;
        try
        {
            history = Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
                ? run.Fit(stop).ToList()
                : WithProgress(run, stop);
        }
        catch (OperationCanceledException) when (StopSignals.Received is { } signal)
        {
            return Stopped(signal, trainer.Position, checkpoints);
        }
        catch (TrainingDivergedException e) when (checkpoints is not null)
        {
            throw new UsageException($"{e.Message}; {checkpoints.Diverged()}");
        }
        finally
        {
            StopSignals.TrainingEnded();
        }
        if (s.Out is not null) ModelFile.Save(s.Out, net, ImageFolder.Looks(s.Data) ? run.Metadata with { TestFraction = s.TestFraction } : run.Metadata);
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
            o = o with { Normalize = n.Format() };
        return saved.Net;
    }

    /// <summary>Test images the dead-unit check after each epoch runs.</summary>
    public const int DeadUnitSamples = 1000;

    /// <summary>Once per layer: a warning when more than half of a ReLU layer's units never fire on the first test images.</summary>
    public static void WarnDeadUnits(Sequential net, Dataset? test, int epoch, HashSet<Layer> warned)
    {
        if (test is null || test.Count == 0 || !net.Layers.Any(l => l is ReLU)) return;
        foreach (var c in DeadUnits.Measure(net, test, DeadUnitSamples))
            if (c.Fraction > 0.5 && warned.Add(c.Layer))
                Console.WriteLine($"warning: after epoch {epoch}, {c.Layer.Label} has {c.Dead:N0} of {c.Units:N0} units ({c.Fraction * 100:F0}%) that never fire " +
                                  $"on {c.Samples:N0} test images: dead ReLUs pass no gradient and stop learning (try a smaller --lr)");
    }

    /// <summary>--metrics-every N: a step record into the metrics log after every N-th optimizer step.</summary>
    public static void LogSteps(Trainer trainer, MetricsLog? metrics, int? every)
    {
        if (metrics is null || every is not int n) return;
        trainer.BatchEnded += (epoch, b, batches, loss) =>
        {
            long step = trainer.Optimizer.Steps;
            if (step % n == 0) metrics.WriteStep(new StepMetrics(step, epoch, b + 1, batches, loss, trainer.Optimizer.LearningRate));
        };
    }

    /// <summary>
    /// The end of a run stopped by a signal between two steps: a checkpoint of where it stands when <c>--checkpoint</c>
    /// was given, and one line saying where the run is and how to go on. Returns 130 for SIGINT, 143 for SIGTERM.
    /// </summary>
    public static int Stopped(System.Runtime.InteropServices.PosixSignal signal, TrainingPosition at, TrainCheckpoints? checkpoints)
    {
        string where = $"stopped by {StopSignals.Name(signal)} at epoch {at.Epoch}, after step {at.Batch} of it";
        if (checkpoints is null)
            Console.Error.WriteLine($"dendrite: {where}; nothing saved (no --checkpoint was given)");
        else
        {
            checkpoints.Save();
            Console.Error.WriteLine($"dendrite: {where}; the run is in {checkpoints.Last}; continue it with: dendrite train --resume {checkpoints.Directory}");
        }
        return StopSignals.ExitCode(signal);
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

    private static IReadOnlyList<EpochMetrics> WithProgress(TrainingRun run, CancellationToken stop)
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
                history = run.Fit(stop).ToList();
                task?.StopTask();
            });
        return history;
    }
}
