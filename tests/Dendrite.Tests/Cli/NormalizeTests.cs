using System.Text.Json;
using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary>train --normalize: the values are fitted or given, saved with the model, and eval feeds the model the same inputs.</summary>
[Collection(ConsoleCollection.Name)]
public class NormalizeTests
{
    private const string Spec = "dense(16),relu,dense(4),softmax";
    private static readonly Lazy<string> Data = new(() => SmallData.Folder(SmallData.TempDir(), 200, 60, 7));

    private static string Temp(string name) => Path.Combine(SmallData.TempDir(), name);

    [Fact]
    public void Auto_fits_the_training_pixels_and_eval_reproduces_the_trained_figures()
    {
        string model = Temp("m.safetensors"), metrics = Temp("m.jsonl");
        var (code, stdout, err) = Run("train", "--data", Data.Value, "--model", Spec, "--epochs", "2", "--batch", "16",
            "--normalize", "auto", "--out", model, "--metrics", metrics);
        Assert.True(code == 0, err);
        var (train, _) = IdxDataset.LoadDirectory(Data.Value);
        var expected = Normalization.Fit(train.Features);
        var saved = ModelFile.Load(model).Metadata.Normalization;
        Assert.Equal(expected, saved);
        Assert.InRange(saved.Std, 0.05f, 1f);
        Assert.Contains($"inputs (x - {expected.Mean:G4}) / {expected.Std:G4}", stdout);

        var last = JsonDocument.Parse(File.ReadAllLines(metrics)[^1]).RootElement;
        (code, stdout, err) = Run("eval", "--model", model, "--data", Data.Value, "--json");
        Assert.True(code == 0, err);
        var eval = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(last.GetProperty("test_accuracy").GetDouble(), Math.Round(eval.GetProperty("test_accuracy").GetDouble(), 6));
        Assert.Equal(last.GetProperty("test_loss").GetDouble(), Math.Round(eval.GetProperty("test_loss").GetDouble(), 6));
    }

    [Fact]
    public void Given_values_are_saved_as_given()
    {
        string model = Temp("given.safetensors");
        var (code, _, err) = Run("train", "--data", Data.Value, "--model", Spec, "--epochs", "1", "--normalize", "0.5,0.25", "--out", model);
        Assert.True(code == 0, err);
        Assert.Equal(new Normalization(0.5f, 0.25f), ModelFile.Load(model).Metadata.Normalization);
    }

    [Theory]
    [InlineData("0.5,0", "dendrite: --normalize: the standard deviation must be positive, got 0")]
    [InlineData("0.5", "dendrite: --normalize: expected none, auto, MEAN,STD (e.g. 0.286,0.353) or per channel M1/M2/M3,S1/S2/S3, got '0.5'")]
    [InlineData("nan,1", "dendrite: --normalize: the mean must be a finite number, got nan")]
    public void Bad_values_are_refused(string value, string message)
    {
        Assert.Equal(message, AssertBadInput("train", "--data", Data.Value, "--model", Spec, "--epochs", "1", "--normalize", value));
    }

    [Fact]
    public void A_resumed_run_may_not_change_it()
    {
        var dir = SmallData.TempDir();
        var (code, _, err) = Run("train", "--data", Data.Value, "--model", Spec, "--epochs", "1", "--normalize", "auto", "--checkpoint", dir);
        Assert.True(code == 0, err);
        Assert.Equal("dendrite: --normalize: cannot be changed when resuming; --resume continues with the checkpoint's settings",
            AssertBadInput("train", "--resume", dir, "--normalize", "none"));
    }

    [Fact]
    public void Fit_is_the_mean_and_the_population_standard_deviation()
    {
        var n = Normalization.Fit([1f, 2f, 3f, 4f]);
        Assert.Equal(2.5f, n.Mean);
        Assert.Equal(MathF.Sqrt(1.25f), n.Std, 6);
        Assert.Equal(new Normalization(7f, 1f), Normalization.Fit([7f, 7f])); // no spread: divide by 1, not 0
    }
}
