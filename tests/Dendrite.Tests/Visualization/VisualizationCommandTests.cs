using Dendrite.Tests.Cli;

namespace Dendrite.Tests.Visualization;

/// <summary>filters, activations, plot and explain from the command line: real output, and one-line errors on bad input.</summary>
[Collection(ConsoleCollection.Name)]
public class VisualizationCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Plot_activations_writes_every_panel_and_says_why_softmax_is_missing()
    {
        var png = _dir.File("act.png");
        var r = Cli.Cli.Run("plot", "activations", "--out", png);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("sigmoid", r.Out);
        Assert.Contains("softmax is not drawn", r.Out);
        using var image = Picture.Load(png);
        Assert.Equal((3 * 360, 3 * 260), (image.Width, image.Height));
        Picture.AssertHasContent(image, 50);
    }

    [Fact]
    public void Plot_metrics_overlays_runs_and_rejects_bad_files()
    {
        File.WriteAllLines(_dir.File("a.jsonl"), ["{\"epoch\":1,\"train_loss\":0.6,\"test_loss\":0.5,\"test_accuracy\":0.8}", "{\"epoch\":2,\"train_loss\":0.4,\"test_loss\":0.45,\"test_accuracy\":0.85}"]);
        File.WriteAllLines(_dir.File("b.jsonl"), ["{\"epoch\":1,\"train_loss\":0.9,\"test_loss\":0.7,\"test_accuracy\":0.7}", "{\"epoch\":2,\"train_loss\":0.5,\"test_loss\":0.6,\"test_accuracy\":0.78}"]);
        var png = _dir.File("curves.png");
        var r = Cli.Cli.Run("plot", "metrics", _dir.File("a.jsonl"), _dir.File("b.jsonl"), "--names", "relu,sigmoid", "--out", png);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("relu: 2 epochs, final test accuracy 85.00%", r.Out);
        Assert.Contains("sigmoid: 2 epochs, final test accuracy 78.00%", r.Out);
        using (var image = Picture.Load(png)) Picture.AssertHasContent(image, 50);

        Cli.Cli.AssertBadInput(Cli.Cli.Run("plot", "metrics", _dir.File("a.jsonl"), "--names", "x,y", "--out", png), "--names", "2 names for 1 files");
        Cli.Cli.AssertBadInput(Cli.Cli.Run("plot", "metrics", _dir.File("none.jsonl"), "--out", png), "none.jsonl");
        File.WriteAllText(_dir.File("bad.jsonl"), "{\"epoch\":1,\"train_loss\":0.6}\nnot json\n");
        Cli.Cli.AssertBadInput(Cli.Cli.Run("plot", "metrics", _dir.File("bad.jsonl"), "--out", png), "bad.jsonl:2");
    }

    [Fact]
    public void Explain_prints_the_forward_and_the_backward_pass()
    {
        _dir.WriteImageSet(20, 10);
        var r = Cli.Cli.Run("explain", "--model", "mlp", "--data", _dir.Path, "--index", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("on test image 3 of", r.Out);
        Assert.Contains("forward pass", r.Out);
        Assert.Contains("backward pass", r.Out);
        Assert.Contains("weight [10, 128]: |grad|", r.Out);
        Cli.Cli.AssertBadInput(Cli.Cli.Run("explain", "--model", "mlp", "--data", _dir.Path, "--index", "10"), "--index", "10");
    }

    [Fact]
    public void Filters_and_activations_say_what_is_wrong_with_a_model_without_convolutions()
    {
        Cli.Cli.AssertBadInput(Cli.Cli.Run("filters", "--model", "mlp", "--out", _dir.File("f.png")), "no convolution layer");
        _dir.WriteImageSet(20, 10);
        Cli.Cli.AssertBadInput(Cli.Cli.Run("activations", "--model", "mlp", "--data", _dir.Path, "--index", "0", "--out", _dir.File("a.png")),
            "no convolution or pooling layer");
        Cli.Cli.AssertBadInput(Cli.Cli.Run("activations", "--model", "mlp", "--image", "x.png", "--data", _dir.Path, "--out", _dir.File("a.png")),
            "either --image IMG or --data DIR --index I");
        Cli.Cli.AssertBadInput(Cli.Cli.Run("activations", "--model", "mlp", "--image", _dir.File("nothing.png"), "--out", _dir.File("a.png")),
            "nothing.png: image not found");
        Assert.False(File.Exists(_dir.File("f.png")) || File.Exists(_dir.File("a.png")));
    }

    [Fact]
    public void Report_is_refused_where_it_cannot_be_made()
    {
        string csv = _dir.File("xy.csv");
        File.WriteAllLines(csv, ["x,y", "0,0", "1,1", "2,0", "3,1", "4,0"]);
        Cli.Cli.AssertBadInput(Cli.Cli.Run("train", "--data", csv, "--target", "y", "--epochs", "1", "--report", _dir.File("r")), "--report", "CSV");
        Assert.False(Directory.Exists(_dir.File("r")));
    }
}
