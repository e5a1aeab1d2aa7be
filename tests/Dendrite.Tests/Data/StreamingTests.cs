using Dendrite.Tests.IO;

namespace Dendrite.Tests.Data;

/// <summary>Streamed data sets (samples read from disk as a loader needs them) against the same sets loaded into memory, bit for bit.</summary>
public class StreamingTests
{
    private static readonly TrainingOptions Options = new()
    {
        Optimizer = "momentum", LearningRate = 0.05f, Momentum = 0.8f, Schedule = "step", Batch = 16, Epochs = 3, Seed = 5,
        Augment = "shift=1+flip", Normalize = "auto",
    };

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    public void An_idx_folder_streams_the_same_values_labels_and_classes_as_it_loads(string suffix)
    {
        string dir = SmallData.Folder(SmallData.TempDir(), 70, 30, seed: 4);
        if (suffix == ".gz")
            foreach (var file in Directory.GetFiles(dir))
            {
                using (var gz = new System.IO.Compression.GZipStream(File.Create(file + ".gz"), System.IO.Compression.CompressionLevel.Fastest))
                    gz.Write(File.ReadAllBytes(file));
                File.Delete(file);
            }
        var (train, test) = IdxDataset.LoadDirectory(dir, trainLimit: 50);
        var (streamedTrain, streamedTest) = IdxDataset.OpenDirectory(dir, trainLimit: 50);
        using var a = streamedTrain.Source;
        using var b = streamedTest.Source;
        Assert.True(streamedTrain.IsStreamed);
        Assert.False(train.IsStreamed);
        Assert.Equal(50, streamedTrain.Count);
        Assert.Equal(train.Labels, streamedTrain.Labels);
        Assert.Equal(test.Labels, streamedTest.Labels);
        Assert.Equal(train.Classes, streamedTrain.Classes);
        Assert.Equal(train.SampleShape, streamedTrain.SampleShape);
        TestData.AssertSameSamples(train, streamedTrain);
        Assert.Throws<InvalidOperationException>(() => streamedTrain.Features);
        Assert.Equal(Normalization.Fit(train.Features), Normalization.Fit(streamedTrain));
        if (suffix == ".gz") Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"dendrite-{Environment.ProcessId}-*.idx")); // unpacked copies are unlinked
    }

    [Fact]
    public void A_colour_idx_file_streams_as_c_h_w()
    {
        string dir = SmallData.TempDir();
        var pixels = Enumerable.Range(0, 5 * 3 * 4 * 2).Select(i => (byte)(i * 7)).ToArray();
        string path = Path.Combine(dir, "images");
        File.WriteAllBytes(path, SmallData.Idx(pixels, 5, 3, 4, 2));
        using var source = IdxSamples.Open(path);
        Assert.Equal([3, 4, 2], source.SampleShape);
        var x = new float[24];
        source.Read(4, x);
        Assert.Equal(pixels[96..].Select(p => p * (1f / 255f)), x);
    }

    [Fact]
    public void A_prefetching_loader_gives_the_batches_and_augmentation_of_one_over_memory()
    {
        string dir = SmallData.Folder(SmallData.TempDir(), 100, 10, seed: 6);
        var (train, _) = IdxDataset.LoadDirectory(dir);
        var (streamed, _) = IdxDataset.OpenDirectory(dir);
        using var source = streamed.Source;
        var memory = new DataLoader(train, 16, shuffle: true, new Rng(9)) { Augment = ImageAugmentation.Parse("shift=2+flip", train.SampleShape)!.Apply };
        var disk = new DataLoader(streamed, 16, shuffle: true, new Rng(9)) { Augment = ImageAugmentation.Parse("shift=2+flip", train.SampleShape)!.Apply };
        Assert.True(disk.Prefetch);
        Assert.False(memory.Prefetch);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            memory.StartEpoch();
            disk.StartEpoch();
            for (int b = 0; b < memory.BatchCount; b++)
            {
                var m = memory.GetBatch(b);
                var d = disk.GetBatch(b);
                Assert.Equal(TestData.Bits(m.Inputs.Span), TestData.Bits(d.Inputs.Span));
                Assert.Equal(m.Labels[..m.Count], d.Labels[..d.Count]);
                Assert.Equal(memory.Rng.State, disk.RngState); // a checkpoint here saves the same state
            }
        }
        // Asking out of order drops the batch prepared ahead and undoes its draws.
        memory.StartEpoch();
        disk.StartEpoch();
        disk.GetBatch(0);
        var again = disk.GetBatch(0);
        memory.GetBatch(0);
        Assert.Equal(TestData.Bits(memory.GetBatch(0).Inputs.Span), TestData.Bits(again.Inputs.Span));
    }

    [Fact]
    public void A_streamed_run_cancelled_mid_epoch_and_resumed_ends_bit_identical_to_a_run_in_memory()
    {
        string dir = SmallData.Folder(SmallData.TempDir(), 200, 60, seed: 11);
        var (train, test) = IdxDataset.LoadDirectory(dir);
        var full = TrainingRun.Start(SmallData.Net(), train, test, Options);
        var fullHistory = full.Fit().ToList();

        var (streamedTrain, streamedTest) = IdxDataset.OpenDirectory(dir);
        var first = TrainingRun.Start(SmallData.Net(), streamedTrain, streamedTest, Options);
        Assert.True(first.Loader.Prefetch);
        using var cancel = new CancellationTokenSource();
        first.Trainer.BatchEnded += (_, _, _, _) => { if (first.Trainer.Optimizer.Steps == 20) cancel.Cancel(); }; // mid epoch 2, a batch prepared ahead
        Assert.Throws<OperationCanceledException>(() => first.Fit(cancel.Token).ToList());
        // The next batch is being prepared on a worker thread and draws its augmentation from the generator: the
        // checkpoint must save the state before those draws. Wait until they happened (a tiny net trains faster than that).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (first.Loader.Rng.State == first.Loader.RngState && clock.Elapsed.TotalSeconds < 30) Thread.Sleep(5);
        Assert.NotEqual(first.Loader.Rng.State, first.Loader.RngState);
        string checkpoints = SmallData.TempDir();
        first.SaveCheckpoint(checkpoints);

        var (againTrain, againTest) = IdxDataset.OpenDirectory(dir);
        var resumed = TrainingRun.Resume(checkpoints, againTrain, againTest);
        var rest = resumed.Fit().ToList();
        Assert.Equal(fullHistory[^1].TestLoss, rest[^1].TestLoss);
        Assert.Equal(fullHistory[^1].TestAccuracy, rest[^1].TestAccuracy);
        var expected = full.Net.Parameters.Select(p => TestData.Bits(p.Value.Span)).ToList();
        var actual = resumed.Net.Parameters.Select(p => TestData.Bits(p.Value.Span)).ToList();
        Assert.Equal(expected, actual);
        foreach (var d in new[] { streamedTrain, streamedTest, againTrain, againTest }) d.Source!.Dispose();
    }

    // Fails to read one sample: the error must reach the caller that asked for that batch, not vanish on a worker thread.
    private sealed class FailingSource(int bad) : SampleSource
    {
        public override int Count => 40;
        public override int[] SampleShape => [2];
        public override string Name => "failing";
        public override void Read(int index, Span<float> destination)
        {
            if (index == bad) throw new InvalidDataException($"failing: sample {index} is unreadable");
            destination.Fill(index);
        }
    }

    [Fact]
    public void A_read_error_on_a_worker_thread_surfaces_at_the_batch_that_needs_the_sample()
    {
        var data = new Dataset(new FailingSource(bad: 25), new int[40], 1);
        var loader = new DataLoader(data, 10);
        Assert.Equal([0f, 0f, 1f, 1f], loader.GetBatch(0).Inputs.Span[..4].ToArray());
        loader.GetBatch(1); // batch 2, holding sample 25, is being read now
        var e = Assert.Throws<InvalidDataException>(() => loader.GetBatch(2));
        Assert.Equal("failing: sample 25 is unreadable", e.Message);
        Assert.Equal(30f, loader.GetBatch(3).Inputs.Span[0]);
    }

    [Theory]
    [InlineData(new[] { 10, 8, 8 }, 10 * 64 - 1, "header claims 640 bytes of data, file holds 639")]
    [InlineData(new[] { 10, 8, 8 }, 10 * 64 + 1, "header claims 640 bytes of data, file holds 641")]
    [InlineData(new[] { int.MaxValue, 65536, 65536 }, 64, "more than Dendrite reads")]
    [InlineData(new[] { 10, 0, 8 }, 0, "dimension 1 is 0")]
    public void A_lying_idx_file_is_refused_before_streaming_naming_it(int[] dims, int bytes, string problem)
    {
        string path = Path.Combine(SmallData.TempDir(), "train-images-idx3-ubyte");
        File.WriteAllBytes(path, SmallData.Idx(new byte[bytes], dims));
        var e = Assert.Throws<InvalidDataException>(() => IdxSamples.Open(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_truncated_gzip_file_is_refused_while_unpacking_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(SmallData.TempDir(), "train-images-idx3-ubyte.gz");
        using (var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
            gz.Write(SmallData.Idx(new byte[600], 10, 8, 8)[..^40]);
        var e = Assert.Throws<InvalidDataException>(() => IdxSamples.Open(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"dendrite-{Environment.ProcessId}-*.idx"));
    }
}
