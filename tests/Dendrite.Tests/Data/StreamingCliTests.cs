using System.Text.RegularExpressions;
using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Data;

/// <summary>Image folders streamed against loaded, and <c>train --stream</c> against a run in memory.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class StreamingCliTests
{
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
            TestData.AssertSameSamples(a, b);
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
        var a = ModelFile.Load(Path.Combine(dir, "memory.safetensors")).Net.Parameters.Select(p => TestData.Bits(p.Value.Span));
        var b = ModelFile.Load(Path.Combine(dir, "streamed.safetensors")).Net.Parameters.Select(p => TestData.Bits(p.Value.Span));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Stream_is_refused_where_every_sample_must_be_in_memory()
    {
        string data = SmallData.Folder(SmallData.TempDir(), 40, 10, seed: 8);
        string csv = Path.Combine(SmallData.TempDir(), "t.csv");
        File.WriteAllText(csv, "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        Assert.Contains("--stream: --fit two-phase needs every sample in memory",
            AssertBadInput("train", "--data", data, "--model", "rbf(4),dense(4)", "--fit", "two-phase", "--stream"));
        Assert.Contains("--stream: --fit two-phase needs every sample in memory",
            AssertBadInput("train", "--data", csv, "--target", "y", "--model", "rbf(4),dense(2)", "--fit", "two-phase", "--stream"));
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

    [Fact]
    public void An_image_folder_larger_than_the_memory_limit_is_refused_before_decoding_and_streams_within_it()
    {
        using var dir = new TempDirectory();
        ImageFolderTests.Folder(dir.Path, 6, "train", "test"); // 36 images of 3x12x12: 62 KiB as floats
        string[] args = ["train", "--data", dir.Path, "--model", "flatten,dense(3),softmax", "--epochs", "1", "--batch", "4", "--memory-limit", "40K"];
        var message = AssertBadInput(args);
        Assert.StartsWith($"dendrite: --data: {dir.Path}: 36 images of [3, 12, 12] need ", message);
        Assert.Contains("decoded, more than the ", message);
        Assert.Contains("--stream reads images from disk as needed", message);
        var (code, stdout, err) = Run([.. args, "--stream"]);
        Assert.True(code == 0, err);
        Assert.Contains("on 18 samples", stdout);
    }

    // dendrite in its own process, its garbage-collected heap capped at 96 MiB.
    private static (int Code, string Out, string Err) RunCapped(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOTNET_GCHeapHardLimit"] = "0x6000000";
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dendrite.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(5)), "dendrite did not finish");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Data_larger_than_the_heap_trains_streamed_and_in_memory_ends_in_one_line_not_a_crash()
    {
        // 160,000 images of 16x16: 41 MB of bytes on disk, 164 MB as floats, against a 96 MiB heap.
        const int count = 160_000, side = 16;
        string dir = SmallData.TempDir();
        var rng = new Rng(2);
        var pixels = new byte[count * side * side];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)rng.NextInt(2);
            pixels.AsSpan(i * side * side, side * side).Fill((byte)(labels[i] * 200 + rng.NextInt(50)));
        }
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), SmallData.Idx(pixels, count, side, side));
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), SmallData.Idx(labels, count));
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), SmallData.Idx(pixels[..(1000 * side * side)], 1000, side, side));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), SmallData.Idx(labels[..1000], 1000));
        string[] args = ["train", "--data", dir, "--model", "dense(2),softmax", "--epochs", "1", "--batch", "256", "--memory-limit", "8G", "--threads", "1"];

        var (code, stdout, err) = RunCapped([.. args, "--stream"]);
        Assert.True(code == 0, err);
        Assert.Contains("on 160,000 samples", stdout);
        Assert.Contains("test accuracy: 1.0000", stdout);

        (code, stdout, err) = RunCapped(args);
        Assert.Equal(2, code);
        Assert.StartsWith("dendrite: out of memory: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }
}
