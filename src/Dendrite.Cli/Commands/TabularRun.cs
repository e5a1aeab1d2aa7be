namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite train --data FILE.csv --target COLUMN: a table's rows split into training and test parts, features
/// standardised on the training part; classes from the target's distinct values, or regression with the mse loss
/// and test_mse, test_mae and test_r2 per epoch.
/// </summary>
public static class TabularRun
{
    /// <summary>
    /// Memory a table takes while it is read, per byte of the file. Measured: a 2.9 MB file of 100,000 rows "0.123456,0.654321,0.111111,2"
    /// held 21.6 MB as parsed cells (7.4x) and 23.2 MB with the training and test sets (8.0x).
    /// </summary>
    public const long CsvBytesPerFileByte = 8;

    public static bool IsCsv(string data) => data.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks a --task value (null: guess from the target column).</summary>
    public static TabularTask? Task(string? value) => value?.ToLowerInvariant() switch
    {
        null => null,
        "classification" => TabularTask.Classification,
        "regression" => TabularTask.Regression,
        _ => throw new UsageException($"--task: '{value}' is not one of classification, regression"),
    };

    /// <summary>Trains on the table (continuing <paramref name="resumed"/> when given); writes --out and --checkpoint as IDX runs do.</summary>
    public static int Execute(TrainSettings s, Checkpoint? resumed = null)
    {
        var o = s.Options;
        var engine = CliOptions.Engine(s.Threads, s.Device);
        if (s.Target is null) throw new UsageException($"--target: {s.Data} is a table; name the column to predict with --target");
        Choices.Optimizer(o.Optimizer, o.LearningRate, o.Momentum, o.WeightDecay); // bad names fail before the data loads
        Choices.Schedule(o.Schedule, o.Epochs);
        LayerSpec.ParseAll(ModelSpec.Resolve(s.Model)); // a bad spec fails before the data loads
        using var metrics = CliOptions.OpenMetrics(s.Metrics, resumed?.Position.Epoch);

        // Held as text cells while it is parsed: about eight times the file (a 40-byte string for each short cell).
        if (!s.Stream && File.Exists(s.Data) && new FileInfo(s.Data).Length is var length && length * CsvBytesPerFileByte > s.MemoryLimit)
            throw new UsageException($"--data: {s.Data} ({MemoryEstimate.Format(length)}) needs about {MemoryEstimate.Format(length * CsvBytesPerFileByte)} " +
                                     $"in memory to read, more than the {MemoryEstimate.Format(s.MemoryLimit)} allowed (--memory-limit sets the limit; --stream reads the rows from disk as needed)");
        // Streamed: the features go to a temporary file and are read back a batch at a time.
        var data = s.Stream ? TabularData.Open(s.Data, s.Target, s.Task, s.TestFraction, o.Seed) : TabularData.Load(s.Data, s.Target, s.Task, s.TestFraction, o.Seed);
        bool regression = data.Task == TabularTask.Regression;
        var loss = regression ? RegressionLoss(o.Loss) : Choices.Loss(o.Loss);
        var train = data.Train;
        var test = data.Test;
        if (resumed is null) CliOptions.CheckTrainingMemory(s.Model, train.SampleShape, o.Batch, s.MemoryLimit);
        var net = resumed?.Model.Net ?? ModelSpec.Build(s.Model, train.SampleShape, train.OutputSize, o.Seed, engine, s.MemoryLimit);
        net.Engine = engine;
        if (!net.InputShape.SequenceEqual(train.SampleShape))
            throw new UsageException($"--data: rows have {Tensor.Format(train.SampleShape)} features, the checkpoint's model takes {Tensor.Format(net.InputShape)}");
        if (regression && net.Layers[^1] is Softmax)
            throw new UsageException($"--model {s.Model}: ends in softmax, which turns a regression output into 1; use a spec ending in dense(1), e.g. --model rbf");
        Console.WriteLine($"data {s.Data}: {train.Count + (test?.Count ?? 0):N0} rows, {data.FeatureNames.Length} feature{(data.FeatureNames.Length == 1 ? "" : "s")} " +
                          $"({string.Join(", ", data.FeatureNames.Take(8))}{(data.FeatureNames.Length > 8 ? ", ..." : "")}) standardised on the training part; " +
                          (regression ? $"regression of '{data.TargetName}'" : $"classification of '{data.TargetName}' into {train.Classes} classes") +
                          (s.Task is null ? " (guessed; set --task to choose)" : ""));
        Func<Sequential, IReadOnlyDictionary<string, double>?> extra = n => regression && test is not null ? Scores(n, test) : null;
        var meta = ModelMetadata.Describe(net, loss, train.ClassNames) with { FeatureMean = data.Mean, FeatureStd = data.Std, FeatureNames = data.FeatureNames };
        if (s.Fit == TwoPhaseRun.TwoPhase) return TwoPhaseRun.Execute(net, loss, train, test, s, metrics, extra, Normalization.None, meta);
        if (s.Fit == PerceptronRun.Perceptron) return Saved(PerceptronRun.Execute(net, train, test, s, metrics), s, net, meta);

        // Columns are standardised already: no further normalisation, and no augmentation.
        var options = o with { Loss = loss.Name, Normalize = "none", Augment = "none" };
        var run = resumed is null ? TrainingRun.Start(net, train, test, options) : TrainingRun.Resume(resumed, train, test, options);
        if (run.RbfCentresPlaced.Layers > 0) Console.WriteLine($"rbf centres by k-means in {run.RbfCentresPlaced.Time.TotalSeconds:F2} s (not in the epoch times)");
        var trainer = run.Trainer;
        var optimizer = trainer.Optimizer;
        CliOptions.OnDevice(net, optimizer);
        if (resumed is not null)
            Console.WriteLine($"resuming from {resumed.Path}: epoch {run.From.Epoch}, batch {run.From.Batch}, step {optimizer.Steps}");
        var stop = StopSignals.Stoppable(); // from here a first Ctrl-C stops the run cleanly (a test waits for the next line)
        Console.WriteLine($"training {net.Spec} ({net.ParameterCount:N0} parameters) on {train.Count:N0} samples, testing on {test?.Count ?? 0:N0}; " +
                          $"{loss.Name} loss, {optimizer.Name} lr {optimizer.LearningRate:G3}, batch {o.Batch}, {net.Engine.Threads} threads");
        TrainRun.LogSteps(trainer, metrics, s.MetricsEvery);
        EpochMetrics? last = null;
        trainer.EpochEnded = m =>
        {
            last = m with { Extra = extra(net) };
            Console.WriteLine($"epoch {m.Epoch}/{o.Epochs}  train loss {m.TrainLoss:F4}  test loss {m.TestLoss:F4}  {TwoPhaseRun.Describe(last)}  " +
                              $"{m.TrainSamplesPerSecond:N0} samples/s  {m.Seconds:F2} s");
            metrics?.Write(last);
        };
        using var checkpoints = s.Checkpoint is null ? null : new TrainCheckpoints(s.Checkpoint, s.CheckpointEvery, run, s);
        checkpoints?.Attach(run);
        try
        {
            run.Fit(stop).ToList();
        }
        catch (OperationCanceledException) when (StopSignals.Received is { } signal)
        {
            return TrainRun.Stopped(signal, trainer.Position, checkpoints);
        }
        catch (TrainingDivergedException e) when (checkpoints is not null)
        {
            throw new UsageException($"{e.Message}; {checkpoints.Diverged()}");
        }
        finally
        {
            StopSignals.TrainingEnded();
        }
        Saved(0, s, net, run.Metadata with { FeatureMean = data.Mean, FeatureStd = data.Std, FeatureNames = data.FeatureNames });
        Console.WriteLine(last is null ? $"the checkpoint had already finished all {o.Epochs} epochs" : TwoPhaseRun.Summary(last));
        return 0;
    }

    /// <summary>Writes --out (with the table's feature statistics, so raw rows can be fed to it) when the fit succeeded.</summary>
    private static int Saved(int exit, TrainSettings s, Sequential net, ModelMetadata meta)
    {
        if (exit == 0 && s.Out is not null)
        {
            ModelFile.Save(s.Out, net, meta);
            Console.WriteLine($"wrote {s.Out}");
        }
        return exit;
    }

    private static Loss RegressionLoss(string name) => name switch
    {
        "mse" or "cross-entropy" or "ce" => new MeanSquaredError(), // cross-entropy is the default: regression always uses mse
        _ => throw new UsageException($"--loss {name}: regression trains with mse"),
    };

    private static Dictionary<string, double> Scores(Sequential net, Dataset test)
    {
        var score = RegressionScore.Evaluate(net, test);
        return new Dictionary<string, double> { ["test_mse"] = score.Mse, ["test_mae"] = score.Mae, ["test_r2"] = score.R2 };
    }
}
