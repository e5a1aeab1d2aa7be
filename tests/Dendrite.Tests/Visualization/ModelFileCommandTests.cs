using Dendrite.Tests.Cli;

namespace Dendrite.Tests.Visualization;

/// <summary>The picture commands on a model file that train --out wrote.</summary>
[Collection(ConsoleCollection.Name)]
public class ModelFileCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string TrainModel(string model = "mlp")
    {
        _dir.WriteImageSet(200, 60);
        string file = _dir.File("model.safetensors");
        var r = Cli.Cli.Run("train", "--data", _dir.Path, "--model", model, "--epochs", "2", "--batch", "16", "--threads", "2", "--out", file);
        Assert.True(r.ExitCode == 0, r.ToString());
        return file;
    }

    [Fact]
    public void Eval_prints_and_draws_the_confusion_matrix()
    {
        string model = TrainModel();
        string png = _dir.File("confusion.png");
        var r = Cli.Cli.Run("eval", "--model", model, "--data", _dir.Path, "--confusion", "--confusion-png", png);
        Assert.True(r.ExitCode == 0, r.ToString());
        var accuracy = double.Parse(System.Text.RegularExpressions.Regex.Match(r.Out, @"test accuracy ([0-9.]+)%").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("true \\ predicted", r.Out);
        Assert.Contains("per-class accuracy:", r.Out);
        Assert.Contains($"overall", r.Out);
        Assert.Contains($"{accuracy:F2}%  (", r.Out.Split("overall")[1]); // the matrix agrees with eval's own accuracy
        using (var image = Picture.Load(png)) Picture.AssertHasContent(image, 20);
        Cli.Cli.AssertBadInput(Cli.Cli.Run("eval", "--model", model, "--data", _dir.Path, "--confusion", "--json"), "--confusion", "--json");
    }

    [Fact]
    public void Explain_follows_a_sample_through_a_trained_model_file()
    {
        string model = TrainModel();
        var r = Cli.Cli.Run("explain", "--model", model, "--data", _dir.Path, "--index", "1");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(model, r.Out);
        Assert.Contains("backward pass", r.Out);
        Assert.Contains("weight [256, 784]: |grad|", r.Out);
    }

    [Fact]
    public void Picture_commands_report_a_missing_or_unsuitable_model_file()
    {
        Cli.Cli.AssertBadInput(Cli.Cli.Run("filters", "--model", _dir.File("none.safetensors"), "--out", _dir.File("f.png")), "none.safetensors");
        string model = TrainModel();
        Cli.Cli.AssertBadInput(Cli.Cli.Run("filters", "--model", model, "--out", _dir.File("f.png")), "no convolution layer");
    }
}
