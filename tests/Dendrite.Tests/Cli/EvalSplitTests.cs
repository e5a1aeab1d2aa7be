using System.Text.RegularExpressions;
using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary>eval tests on the images training held out, and reads them streamed as it reads them loaded.</summary>
[Collection(ConsoleCollection.Name)]
public class EvalSplitTests
{
    [Fact]
    public void Eval_of_a_one_tree_folder_tests_on_the_split_the_model_was_trained_with()
    {
        using var dir = new TempDirectory();
        Dendrite.Tests.Data.ImageFolderTests.Folder(dir.Path, 10);
        string model = dir.File("m.safetensors");
        var (code, stdout, err) = Run("train", "--data", dir.Path, "--model", "conv(4,3),relu,flatten,dense(3),softmax", "--epochs", "2",
            "--batch", "8", "--test-fraction", "0.3", "--seed", "4", "--normalize", "auto", "--out", model);
        Assert.True(code == 0, err);
        Assert.Contains("testing on 9", stdout);
        var trained = Regex.Match(stdout, @"epoch 2/2 .*test accuracy ([\d.]+)%").Groups[1].Value;
        var saved = ModelFile.Load(model);
        Assert.Equal(0.3, saved.Metadata.TestFraction);
        Assert.Equal(4UL, saved.Metadata.Seed);

        // The same 9 images, so the same accuracy as training's last epoch printed.
        (code, stdout, err) = Run("eval", "--model", model, "--data", dir.Path);
        Assert.True(code == 0, err);
        Assert.Contains($"test accuracy {trained}%", stdout);
        Assert.Contains("on 9 samples", stdout);
        (code, stdout, err) = Run("eval", "--model", model, "--data", dir.Path, "--test-fraction", "0.5", "--seed", "2");
        Assert.True(code == 0, err);
        Assert.Contains("on 15 samples", stdout);
        Assert.Contains("--test-fraction: must be in [0, 1), got 1", AssertBadInput("eval", "--model", model, "--data", dir.Path, "--test-fraction", "1"));
    }

    [Fact]
    public void Eval_with_stream_prints_what_eval_prints_for_idx_and_image_folders()
    {
        string idx = SmallData.Folder(SmallData.TempDir(), 100, 40, seed: 5), model = Path.Combine(SmallData.TempDir(), "m.safetensors");
        var (code, _, err) = Run("train", "--data", idx, "--model", "dense(8),relu,dense(4),softmax", "--epochs", "2", "--normalize", "auto", "--out", model);
        Assert.True(code == 0, err);
        (code, var loaded, err) = Run("eval", "--model", model, "--data", idx, "--json");
        Assert.True(code == 0, err);
        (code, var streamed, err) = Run("eval", "--model", model, "--data", idx, "--json", "--stream");
        Assert.True(code == 0, err);
        Assert.Equal(loaded, streamed);
        (code, loaded, err) = Run("eval", "--model", model, "--data", idx, "--confusion");
        Assert.True(code == 0, err);
        (code, streamed, err) = Run("eval", "--model", model, "--data", idx, "--confusion", "--stream");
        Assert.True(code == 0, err);
        Assert.Equal(loaded, streamed);

        using var dir = new TempDirectory();
        Dendrite.Tests.Data.ImageFolderTests.Folder(dir.Path, 6, "train", "test");
        string folderModel = dir.File("f.safetensors");
        (code, _, err) = Run("train", "--data", dir.Path, "--model", "conv(4,3),relu,flatten,dense(3),softmax", "--epochs", "2", "--batch", "8",
            "--normalize", "auto", "--out", folderModel);
        Assert.True(code == 0, err);
        (code, loaded, err) = Run("eval", "--model", folderModel, "--data", dir.Path, "--json");
        Assert.True(code == 0, err);
        (code, streamed, err) = Run("eval", "--model", folderModel, "--data", dir.Path, "--json", "--stream");
        Assert.True(code == 0, err);
        Assert.Equal(loaded, streamed);
    }
}
