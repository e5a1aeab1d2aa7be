using System.Text.RegularExpressions;
using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Data;

/// <summary>Image folders streamed against loaded, and <c>train --stream</c> against a run in memory.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class StreamingCliTests
{
    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_image_folder_streams_the_same_pixels_labels_and_split_as_it_loads(bool splitFolders)
    {
        using var dir = new TempDirectory();
        if (splitFolders) ImageFolderTests.Folder(dir.Path, 6, "train", "test");
        else ImageFolderTests.Folder(dir.Path, 8);
        var loaded = ImageFolder.Load(dir.Path, new ImageFolderOptions { TestFraction = 0.25, Seed = 3 });
        var streamed = ImageFolder.Load(dir.Path, new ImageFolderOptions { TestFraction = 0.25, Seed = 3, Stream = true });
        foreach (var (a, b) in new[] { (loaded.Train, streamed.Train), (loaded.Test, streamed.Test) })
        {
            Assert.True(b.IsStreamed);
            Assert.IsType<ImageFiles>(b.Source);
            Assert.Equal(a.SampleShape, b.SampleShape);
            Assert.Equal(a.Labels, b.Labels);
            Assert.Equal(a.ClassNames, b.ClassNames);
            var x = new float[a.SampleSize];
            for (int i = 0; i < a.Count; i++)
            {
                b.ReadSample(i, x);
                Assert.Equal(Bits(a.Sample(i)), Bits(x));
            }
        }
    }

    // The epoch lines without their speed and time, which differ from run to run.
    private static string Results(string stdout) => Regex.Replace(stdout, @"\s+[\d,]+ samples/s\s+[\d.]+ s", "");

    [Fact]
    public void Train_with_stream_prints_what_training_in_memory_prints_and_saves_the_same_model()
    {
        string data = SmallData.Folder(SmallData.TempDir(), 150, 40, seed: 8), dir = SmallData.TempDir();
        string[] args = ["train", "--data", data, "--model", "dense(16),relu,dense(4),softmax", "--epochs", "2", "--batch", "16",
            "--augment", "shift=1+flip", "--normalize", "auto", "--seed", "4"];
        var (code, memory, err) = Run([.. args, "--out", Path.Combine(dir, "memory.safetensors")]);
        Assert.True(code == 0, err);
        (code, var streamed, err) = Run([.. args, "--stream", "--out", Path.Combine(dir, "streamed.safetensors")]);
        Assert.True(code == 0, err);
        Assert.Contains("epoch 2/2", streamed);
        Assert.Equal(Results(memory).Replace("memory.safetensors", "X"), Results(streamed).Replace("streamed.safetensors", "X"));
        var a = ModelFile.Load(Path.Combine(dir, "memory.safetensors")).Net.Parameters.Select(p => Bits(p.Value.Span));
        var b = ModelFile.Load(Path.Combine(dir, "streamed.safetensors")).Net.Parameters.Select(p => Bits(p.Value.Span));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Stream_is_refused_where_every_sample_must_be_in_memory()
    {
        string data = SmallData.Folder(SmallData.TempDir(), 40, 10, seed: 8);
        string csv = Path.Combine(SmallData.TempDir(), "t.csv");
        File.WriteAllText(csv, "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        Assert.Contains("--stream: for IDX folders and image folders", AssertBadInput("train", "--data", csv, "--target", "y", "--stream"));
        Assert.Contains("--stream: --fit two-phase needs every sample in memory",
            AssertBadInput("train", "--data", data, "--model", "rbf(4),dense(4)", "--fit", "two-phase", "--stream"));
    }

    [Fact]
    public void A_memory_limit_the_data_would_pass_points_to_stream_which_trains_within_it()
    {
        string data = SmallData.Folder(SmallData.TempDir(), 3000, 100, seed: 8);
        string[] args = ["train", "--data", data, "--model", "dense(8),relu,dense(4),softmax", "--epochs", "1", "--memory-limit", "100K"];
        Assert.Contains("--stream reads images from disk as needed", AssertBadInput(args));
        var (code, stdout, err) = Run([.. args, "--stream"]);
        Assert.True(code == 0, err);
        Assert.Contains("on 3,000 samples", stdout);
    }
}
