using Dendrite.Tests.IO;

namespace Dendrite.Tests.Training;

/// <summary>The training pieces the library owns: catalogs by name, lazy Fit, TrainingRun resume, MetricsLog, PresetDefaults.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class TrainingLibraryTests
{
    [Fact]
    public void Catalogs_create_every_listed_name_and_refuse_others()
    {
        foreach (var name in OptimizerCatalog.Names) Assert.Equal(name, OptimizerCatalog.Create(name).Name);
        foreach (var name in ScheduleCatalog.Names) Assert.NotNull(ScheduleCatalog.Create(name, 9));
        Assert.Equal(["cross-entropy", "mse", "binary-cross-entropy"], LossCatalog.Names.Select(n => LossCatalog.Create(n).Name));
        Assert.IsType<SoftmaxCrossEntropy>(LossCatalog.Create("ce"));
        Assert.Equal(0.05f, OptimizerCatalog.Create("sgd").LearningRate);
        Assert.Equal(0.001f, OptimizerCatalog.Create("adam").LearningRate);
        Assert.Equal(0.2f, OptimizerCatalog.Create("momentum", 0.2f).LearningRate);

        Assert.Equal("'adagrad' is not one of sgd, momentum, nesterov, adam, adamw, rmsprop",
            Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create("adagrad")).Message);
        Assert.Equal("'linear' is not one of constant, step, cosine", Assert.Throws<ArgumentException>(() => ScheduleCatalog.Create("linear", 3)).Message);
        Assert.Equal("'hinge' is not one of cross-entropy, mse, bce", Assert.Throws<ArgumentException>(() => LossCatalog.Create("hinge")).Message);
    }

    [Fact]
    public void A_model_file_reads_each_loss_by_its_saved_name_through_the_catalog()
    {
        Loss[] losses = [new SoftmaxCrossEntropy(), new MeanSquaredError(), new BinaryCrossEntropy()];
        foreach (var loss in losses)
        {
            var metadata = new ModelMetadata { Spec = "dense(3)", InputShape = [4], Outputs = 3, Loss = loss.Name };
            Assert.IsType(loss.GetType(), metadata.CreateLoss());
        }
        var hinge = new ModelMetadata { Spec = "dense(3)", InputShape = [4], Outputs = 3, Loss = "hinge" };
        Assert.Equal("loss 'hinge' is not one Dendrite knows", Assert.Throws<InvalidDataException>(hinge.CreateLoss).Message);
    }

    [Fact]
    public void Fit_trains_only_as_it_is_enumerated_and_stops_when_cancelled()
    {
        var net = SmallData.Net();
        var before = net.Parameters[0].Value.Span.ToArray();
        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(0.01f));
        var epochs = trainer.Fit(SmallData.Dataset(64, 3), null, epochs: 5, batchSize: 16);
        Assert.Equal(before, net.Parameters[0].Value.Span.ToArray()); // nothing ran yet
        Assert.Equal(0, trainer.Optimizer.Steps);

        using var cancel = new CancellationTokenSource();
        var seen = new List<EpochMetrics>();
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var m in trainer.Fit(SmallData.Dataset(64, 3), null, epochs: 5, batchSize: 16, cancellation: cancel.Token))
            {
                seen.Add(m);
                Assert.Equal(4, trainer.Optimizer.Steps); // yielded as epoch 1 ended, before epoch 2 began
                cancel.Cancel();
            }
        });
        Assert.Single(seen);
        Assert.Equal(4, trainer.Optimizer.Steps);
        Assert.Equal(new TrainingPosition(2, 0, 0), trainer.Position);
    }

    private static readonly TrainingOptions Options = new()
    {
        Optimizer = "momentum", LearningRate = 0.05f, Momentum = 0.8f, Schedule = "step", Batch = 16, Epochs = 3, Seed = 5,
        Augment = "shift=1", Normalize = "auto",
    };

    private static float[][] Weights(Sequential net) => [.. net.Parameters.Select(p => p.Value.Span.ToArray())];

    [Fact]
    public void A_run_cancelled_and_resumed_from_its_checkpoint_ends_bit_identical_to_one_never_stopped()
    {
        var full = TrainingRun.Start(SmallData.Net(), SmallData.Dataset(200, 11), SmallData.Dataset(60, 12), Options);
        var fullHistory = full.Fit().ToList();
        Assert.Equal(3, fullHistory.Count);

        string dir = SmallData.TempDir();
        var first = TrainingRun.Start(SmallData.Net(), SmallData.Dataset(200, 11), SmallData.Dataset(60, 12), Options);
        using var cancel = new CancellationTokenSource();
        first.Trainer.BatchEnded += (_, _, _, _) => { if (first.Trainer.Optimizer.Steps == 20) cancel.Cancel(); }; // mid epoch 2
        Assert.Throws<OperationCanceledException>(() => first.Fit(cancel.Token).ToList());
        string path = first.SaveCheckpoint(dir);

        var checkpoint = Checkpoint.Load(path);
        Assert.Equal(Options, TrainingRun.ReadOptions(checkpoint));
        Assert.Equal(new TrainingPosition(2, 7, checkpoint.Position.LossSum), checkpoint.Position);

        var resumed = TrainingRun.Resume(dir, SmallData.Dataset(200, 11), SmallData.Dataset(60, 12));
        Assert.Equal(Options, resumed.Options);
        Assert.Equal(full.Normalization, resumed.Normalization);
        Assert.Equal("momentum", resumed.Trainer.Optimizer.Name);
        var rest = resumed.Fit().ToList();
        Assert.Equal([2, 3], rest.Select(m => m.Epoch));
        Assert.Equal(fullHistory[^1].TestLoss, rest[^1].TestLoss);
        var expected = Weights(full.Net);
        var actual = Weights(resumed.Net);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i].Select(BitConverter.SingleToInt32Bits), actual[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Start_places_rbf_centres_and_normalises_the_data()
    {
        var train = SmallData.Dataset(100, 1);
        var raw = train.Features.ToArray();
        var net = SmallData.Net("rbf(6),dense(4),softmax");
        var run = TrainingRun.Start(net, train, null, Options with { Epochs = 1 });
        Assert.Equal(1, run.RbfCentresPlaced.Layers);
        Assert.Equal(Normalization.Fit(raw), run.Normalization);
        Assert.Equal((raw[5] - run.Normalization.Mean) / run.Normalization.Std, train.Features[5], 5);
        Assert.Equal(run.Normalization, run.Metadata.Normalization);
    }

    [Fact]
    public void Metrics_log_round_trips_extra_figures_and_keeps_earlier_epochs_on_resume()
    {
        string path = Path.Combine(SmallData.TempDir(), "run.jsonl");
        using (var log = MetricsLog.Open(path))
            for (int e = 1; e <= 3; e++)
                log.Write(new EpochMetrics(e, 1f / e, 0.5f, 0.9f, 100, 1, 0.01f, new Dictionary<string, double> { ["test_r2"] = 0.123456789 }));
        using (var log = MetricsLog.Open(path, resumeEpoch: 3)) log.Write(new EpochMetrics(3, 0.25f, 0.5f, 0.95f, 100, 1, 0.01f));
        var epochs = MetricsLog.Read(path);
        Assert.Equal([1, 2, 3], epochs.Select(m => m.Epoch));
        Assert.Equal(0.123457, epochs[0].Extra!["test_r2"]);
        Assert.Equal(0.95f, epochs[2].TestAccuracy);
        Assert.Null(epochs[2].Extra);
    }

    [Fact]
    public void Preset_defaults_fill_only_what_was_not_given()
    {
        var preset = new PresetDefaults { Optimizer = "momentum", LearningRate = 0.1f, Schedule = "step", Normalize = "auto" };
        var none = preset.ApplyTo(new TrainingOptions(), new HashSet<string>());
        Assert.Equal(("momentum", (float?)0.1f, "step", "auto", "none"), (none.Optimizer, none.LearningRate, none.Schedule, none.Normalize, none.Augment));

        var given = preset.ApplyTo(new TrainingOptions { Optimizer = "adam", Schedule = "constant" }, new HashSet<string> { "Optimizer", "Schedule" });
        Assert.Equal(("adam", (float?)null, "constant", "auto"), (given.Optimizer, given.LearningRate, given.Schedule, given.Normalize));
        Assert.All(PresetDefaults.Presets, p => Assert.True(ModelSpec.Presets.ContainsKey(p), p));
        Assert.Null(PresetDefaults.For("dense(10),softmax"));

        var more = new PresetDefaults { Batch = 32, LabelSmoothing = 0.1f };
        var filled = more.ApplyTo(new TrainingOptions(), new HashSet<string>());
        Assert.Equal((32, 0.1f), (filled.Batch, filled.LabelSmoothing));
        var kept = more.ApplyTo(new TrainingOptions { Batch = 128, LabelSmoothing = 0f }, new HashSet<string> { "Batch", "LabelSmoothing" });
        Assert.Equal((128, 0f), (kept.Batch, kept.LabelSmoothing));
        // Smoothing belongs to cross-entropy: a preset's is not applied to a run the user gave another loss.
        Assert.Equal(0f, more.ApplyTo(new TrainingOptions { Loss = "mse" }, new HashSet<string> { "Loss" }).LabelSmoothing);
    }
}
