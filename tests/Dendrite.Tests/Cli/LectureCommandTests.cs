using Dendrite.Visualization;
using SkiaSharp;
using Dendrite.Tests.Visualization;

namespace Dendrite.Tests.Cli;

/// <summary>The lecture's commands end to end: per-step metrics, descent, boundaries, dead units.</summary>
[Collection(ConsoleCollection.Name)]
public class LectureCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Metrics_every_writes_step_records_that_plot_metrics_draws()
    {
        _dir.WriteImageSet(160, 40, seed: 3);
        string metrics = _dir.File("steps.jsonl");
        var r = Cli.Run("train", "--data", _dir.Path, "--model", "dense(16),relu,dense(10),softmax", "--epochs", "2", "--batch", "16",
            "--threads", "1", "--metrics", metrics, "--metrics-every", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        var steps = MetricsLog.ReadSteps(metrics);
        // 10 batches an epoch, 20 steps: every third is 3, 6, ..., 18.
        Assert.Equal([3L, 6, 9, 12, 15, 18], steps.Select(s => s.Step));
        Assert.Equal((2, 2, 10), (steps[3].Epoch, steps[3].Batch, steps[3].Batches));
        Assert.All(steps, s => Assert.True(float.IsFinite(s.TrainLoss) && s.TrainLoss > 0));
        Assert.Equal(2, MetricsLog.Read(metrics).Count); // the epoch lines are still read as before

        string linear = _dir.File("linear.png"), log = _dir.File("log.png");
        Assert.Equal(0, Cli.Run("plot", "metrics", metrics, "--out", linear).ExitCode);
        var p = Cli.Run("plot", "metrics", metrics, "--log-y", "--out", log);
        Assert.True(p.ExitCode == 0, p.ToString());
        Assert.Contains("6 step records", p.Out);
        using var a = Picture.Load(linear);
        using var b = Picture.Load(log);
        Picture.AssertHasContent(b);
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        Assert.NotEqual(Png.Encode(a), Png.Encode(b));
    }

    [Fact]
    public void Metrics_every_needs_a_metrics_file()
    {
        Cli.AssertBadInput(Cli.Run("train", "--metrics-every", "5", "--epochs", "1"), "--metrics-every");
        Cli.AssertBadInput(Cli.Run("train", "--metrics-every", "0", "--metrics", _dir.File("m.jsonl")), "--metrics-every");
    }

    [Fact]
    public void Plot_descent_draws_the_walks_and_names_what_happened()
    {
        string png = _dir.File("bowl.png");
        var r = Cli.Run("plot", "descent", "--surface", "bowl", "--optimizers", "sgd,adam", "--lr", "0.01,0.1,2.1", "--out", png);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("bowl: sgd lr 2.1: diverged", r.Out);
        Assert.Contains("bowl: sgd lr 0.1: loss 0.002731 after 40 steps", r.Out); // (0.9^40)^2 * 25 / 2
        using var image = Picture.Load(png);
        Assert.Equal((2 * DescentPlot.PanelWidth, DescentPlot.PanelHeight), (image.Width, image.Height));
    }

    [Theory]
    [InlineData("--surface", "saddle", "--surface")]
    [InlineData("--optimizers", "sgd,lbfgs", "--optimizers")]
    [InlineData("--lr", "0.1,-1", "--lr")]
    [InlineData("--steps", "0", "--steps")]
    public void Plot_descent_refuses_bad_options(string option, string value, string named)
    {
        Cli.AssertBadInput(Cli.Run("plot", "descent", option, value, "--out", _dir.File("x.png")), named);
        Assert.False(File.Exists(_dir.File("x.png")));
    }
}
