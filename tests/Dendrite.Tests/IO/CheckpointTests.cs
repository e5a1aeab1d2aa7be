namespace Dendrite.Tests.IO;

[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class CheckpointTests
{
    private const int Epochs = 3;
    private static readonly Dataset Train = SmallData.Dataset(200, 11); // 13 batches of 16 per epoch
    private static readonly Dataset Test = SmallData.Dataset(60, 12);

    private sealed class Crash : Exception;

    private static Trainer NewTrainer(Sequential net) =>
        new(net, new SoftmaxCrossEntropy(), new Adam(0.01f)) { Schedule = new CosineDecay(Epochs) };

    // The augmentation draws from the loader's generator mid-epoch, so resuming must restore it exactly.
    private static DataLoader NewLoader() => new(Train, 16, shuffle: true, new Rng(77))
    {
        Augment = (x, rng) => x[rng.NextInt(x.Length)] = rng.NextFloat(),
    };

    private static float[][] Weights(Sequential net) => [.. net.Parameters.Select(p => p.Value.Span.ToArray())];

    private static void AssertBitIdentical(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i].Select(BitConverter.SingleToInt32Bits), actual[i].Select(BitConverter.SingleToInt32Bits));
    }

    private static ModelMetadata Meta(Sequential net) => ModelMetadata.Describe(net, new SoftmaxCrossEntropy());

    /// <summary>Trains from scratch, checkpointing every <paramref name="every"/> steps and at each epoch's end; throws at step <paramref name="crashAt"/>.</summary>
    private static (Sequential Net, IReadOnlyList<EpochMetrics> History) Run(string? dir, int every = 0, int crashAt = -1)
    {
        var net = SmallData.Net();
        var trainer = NewTrainer(net);
        var loader = NewLoader();
        if (dir is not null)
        {
            trainer.BatchEnded += (_, _, _, _) => { if (every > 0 && trainer.Optimizer.Steps % every == 0) Checkpoint.Save(dir, trainer, loader, Meta(net)); };
            trainer.EpochEnded += _ => Checkpoint.Save(dir, trainer, loader, Meta(net));
        }
        trainer.BatchEnded += (_, _, _, _) => { if (trainer.Optimizer.Steps == crashAt) throw new Crash(); };
        return (net, trainer.Fit(loader, Test, Epochs).ToList());
    }

    private static (Sequential Net, IReadOnlyList<EpochMetrics> History) Resume(Checkpoint checkpoint)
    {
        var net = checkpoint.Model.Net;
        var trainer = NewTrainer(net);
        var loader = NewLoader();
        checkpoint.Restore(trainer.Optimizer, loader);
        return (net, trainer.Resume(loader, Test, Epochs, checkpoint.Position).ToList());
    }

    [Fact]
    public void A_checkpoint_reads_from_a_stream_as_from_its_file()
    {
        var dir = SmallData.TempDir();
        Assert.Throws<Crash>(() => Run(dir, 5, 12));
        string path = Directory.GetFiles(dir).Order(StringComparer.Ordinal).Last();
        var fromFile = Checkpoint.Load(path);
        using var stream = File.OpenRead(path);
        var fromStream = Checkpoint.Load(stream, "upload");
        Assert.Equal(fromFile.Position, fromStream.Position);
        Assert.Equal((fromFile.Steps, fromFile.OptimizerName, fromFile.LoaderRngState), (fromStream.Steps, fromStream.OptimizerName, fromStream.LoaderRngState));
        AssertBitIdentical(Weights(fromFile.Model.Net), Weights(fromStream.Model.Net));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(new MemoryStream([1, 2, 3]), "upload"));
        Assert.StartsWith("upload: ", e.Message);
    }

    [Theory]
    [InlineData(5, 23, 20)] // mid-epoch 2: resumes at batch 7 with the epoch's order, generator and loss so far
    [InlineData(0, 30, 26)] // after epoch 2's checkpoint: resumes with epoch 3's shuffle still to do
    public void Resuming_gives_bit_identical_weights_and_the_same_metrics(int every, int crashAt, long resumedStep)
    {
        var (full, fullHistory) = Run(null);
        var dir = SmallData.TempDir();
        Assert.Throws<Crash>(() => Run(dir, every, crashAt));

        var checkpoint = Checkpoint.LoadLatest(dir);
        Assert.Equal(resumedStep, checkpoint.Steps);
        var (resumed, history) = Resume(checkpoint);

        AssertBitIdentical(Weights(full), Weights(resumed));
        Assert.Equal(fullHistory[^1].TrainLoss, history[^1].TrainLoss);
        Assert.Equal(fullHistory[^1].TestAccuracy, history[^1].TestAccuracy);
        Assert.Equal(fullHistory[^1].TestLoss, history[^1].TestLoss);
    }

    [Fact]
    public void A_leftover_temp_file_and_a_truncated_newer_checkpoint_do_not_break_resume()
    {
        var (full, _) = Run(null);
        var dir = SmallData.TempDir();
        Assert.Throws<Crash>(() => Run(dir, 5, 23));
        var latest = Checkpoint.List(dir)[0];
        var bytes = File.ReadAllBytes(latest);
        File.WriteAllBytes(Path.Combine(dir, "step-0000000025.safetensors"), bytes[..(bytes.Length / 2)]);
        File.WriteAllBytes(Path.Combine(dir, "step-0000000030.safetensors.tmp"), bytes[..100]);

        var skipped = new List<string>();
        var checkpoint = Checkpoint.LoadLatest(dir, skipped.Add);
        Assert.Equal(latest, checkpoint.Path);
        var message = Assert.Single(skipped);
        Assert.StartsWith(Path.Combine(dir, "step-0000000025.safetensors: "), message);
        Assert.Contains("(truncated file?)", message);
        AssertBitIdentical(Weights(full), Weights(Resume(checkpoint).Net));
    }

    [Fact]
    public void Only_the_newest_two_are_kept_and_none_is_left_half_written()
    {
        var dir = SmallData.TempDir();
        Run(dir, 4);
        Assert.Equal(["step-0000000039.safetensors", "step-0000000036.safetensors"], Checkpoint.List(dir).Select(Path.GetFileName));
        Assert.Equal(2, Directory.GetFiles(dir).Length);
    }

    [Fact]
    public void A_checkpoint_is_also_a_model_file()
    {
        var dir = SmallData.TempDir();
        var (net, _) = Run(dir);
        var model = ModelFile.Load(Checkpoint.List(dir)[0]);
        AssertBitIdentical(Weights(net), Weights(model.Net));
    }

    [Fact]
    public void Divergence_stops_training_and_keeps_the_last_good_checkpoint()
    {
        var net = SmallData.Net();
        var trainer = NewTrainer(net);
        var loader = NewLoader();
        var dir = SmallData.TempDir();
        trainer.BatchEnded += (_, _, _, _) =>
        {
            if (trainer.Optimizer.Steps % 3 == 0) Checkpoint.Save(dir, trainer, loader, Meta(net));
            if (trainer.Optimizer.Steps == 16) net.Parameters[0].Value.Span[5] = float.PositiveInfinity;
        };
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(loader, Test, Epochs).ToList());
        Assert.Equal((2, 4), (e.Epoch, e.Step)); // step 17 is batch 4 of epoch 2
        Assert.Contains("try a smaller learning rate", e.Message);

        var kept = Checkpoint.LoadLatest(dir);
        Assert.Equal(15, kept.Steps);
        Assert.All(kept.Model.Net.Parameters, p => Assert.True(p.Value.Span.ToArray().All(float.IsFinite)));

        // A checkpoint of non-finite weights is refused rather than written over a good one.
        Assert.Throws<TrainingDivergedException>(() => Checkpoint.Save(dir, trainer, loader, Meta(net)));
        Assert.Equal(15, Checkpoint.LoadLatest(dir).Steps);
    }

    [Fact]
    public void Restore_refuses_another_optimizer_or_batch_size()
    {
        var dir = SmallData.TempDir();
        Run(dir);
        var checkpoint = Checkpoint.LoadLatest(dir);
        var e = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(new Momentum(), NewLoader()));
        Assert.Contains("checkpoint.optimizer is adam, resuming with momentum", e.Message);
        e = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(new Adam(), new DataLoader(Train, 32, shuffle: true)));
        Assert.Contains("saved with batch size 16, resuming with 32", e.Message);
    }
}
