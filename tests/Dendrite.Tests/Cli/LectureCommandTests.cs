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

    /// <summary>dense(6) with units 1, 2, 4 and 5 biased far below zero: they never fire on pixels in [0, 1].</summary>
    private static Sequential FourDeadOfSix()
    {
        var net = ModelSpec.Build("dense(6),relu,dense(10),softmax", [1, 28, 28], 10, seed: 1);
        var dense = (Dense)net.Layers[1];
        dense.Weight.Value.Span.Clear();
        float[] bias = [1f, -100f, -100f, 2f, -100f, -100f];
        bias.CopyTo(dense.Bias!.Value.Span);
        return net;
    }

    [Fact]
    public void Explain_counts_the_dead_units_on_the_test_set()
    {
        _dir.WriteImageSet(20, 30, seed: 2);
        var net = FourDeadOfSix();
        string model = _dir.File("dead.safetensors");
        ModelFile.Save(model, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        var r = Cli.Run("explain", "--model", model, "--data", _dir.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("0 for every one of the 30 test images", r.Out);
        Assert.Contains("4 of 6 dead (66.7%)  more than half", r.Out);

        var summary = Cli.Run("summary", "--model", model, "--data", _dir.Path, "--test-limit", "10");
        Assert.True(summary.ExitCode == 0, summary.ToString());
        Assert.Contains("4,780", summary.Out); // dense(6): 784 * 6 + 6
        Assert.Contains("0 for every one of the 10 test images", summary.Out);
        Assert.Contains("4 of 6 dead", summary.Out);
    }

    [Fact]
    public void Train_warns_once_per_layer_when_more_than_half_is_dead()
    {
        var net = FourDeadOfSix();
        var test = new Dataset(new float[3 * 784], [1, 28, 28], new int[3], 10);
        var warned = new HashSet<Layer>();
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            Dendrite.Cli.Commands.TrainRun.WarnDeadUnits(net, test, 1, warned);
            Dendrite.Cli.Commands.TrainRun.WarnDeadUnits(net, test, 2, warned);
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.Equal(["warning: after epoch 1, layer 3 relu has 4 of 6 units (67%) that never fire on 3 test images: dead ReLUs pass no gradient and stop learning (try a smaller --lr)"],
            output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Perceptron_separates_a_separable_table_and_plot_boundary_draws_it()
    {
        var rng = new Rng(6);
        var lines = new List<string> { "a,b,side" };
        while (lines.Count < 121)
        {
            float a = rng.NextFloat() * 2 - 1, b = rng.NextFloat() * 2 - 1;
            if (MathF.Abs(a + 0.5f * b - 0.2f) > 0.05f) lines.Add(FormattableString.Invariant($"{a:F4},{b:F4},{(a + 0.5f * b > 0.2f ? 1 : 0)}"));
        }
        string csv = _dir.File("line.csv"), model = _dir.File("perceptron.safetensors"), png = _dir.File("line.png");
        File.WriteAllLines(csv, lines);
        var r = Cli.Run("train", "--data", csv, "--target", "side", "--model", "dense(2),step", "--fit", "perceptron", "--epochs", "100", "--out", model);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("the training set is separated", r.Out);
        var p = Cli.Run("plot", "boundary", "--model", model, "--data", csv, "--target", "side", "--out", png);
        Assert.True(p.ExitCode == 0, p.ToString());
        Assert.Contains("120 of 120 points on the side of their class", p.Out);
        using var image = Picture.Load(png);
        Assert.Equal((BoundaryPlot.Width, BoundaryPlot.Height), (image.Width, image.Height));

        Cli.AssertBadInput(Cli.Run("train", "--data", csv, "--target", "side", "--model", "dense(4),relu,dense(2)", "--fit", "perceptron"), "--fit perceptron");
    }

    [Fact]
    public void Plot_boundary_refuses_a_model_not_trained_on_a_table()
    {
        var net = FourDeadOfSix();
        string model = _dir.File("images.safetensors");
        ModelFile.Save(model, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        File.WriteAllLines(_dir.File("t.csv"), ["a,b,c", "1,2,0", "2,1,1"]);
        Cli.AssertBadInput(Cli.Run("plot", "boundary", "--model", model, "--data", _dir.File("t.csv"), "--target", "c", "--out", _dir.File("b.png")), "not trained on a table");
    }
}
