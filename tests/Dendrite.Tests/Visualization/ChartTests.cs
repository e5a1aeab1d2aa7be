using Dendrite.Cli;
using Dendrite.Visualization;
using SkiaSharp;

namespace Dendrite.Tests.Visualization;

public class ChartTests : IDisposable
{
    private static readonly SKColor Blue = new(0x1f, 0x77, 0xb4), Orange = new(0xff, 0x7f, 0x0e);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Activation_samples_are_the_functions_and_their_derivatives()
    {
        double At(double[] xs, double[] ys, double x) => ys[Array.FindIndex(xs, v => Math.Abs(v - x) < 1e-6)];
        var (x, y, d) = ActivationPlot.Sample(new Sigmoid());
        Assert.Equal(ActivationPlot.Points, x.Length);
        Assert.Equal(0.5, At(x, y, 0), 6);
        Assert.Equal(0.25, At(x, d, 0), 6);
        Assert.Equal(1 / (1 + Math.Exp(-2)), At(x, y, 2), 5);
        (x, y, d) = ActivationPlot.Sample(new ReLU());
        Assert.Equal((0.0, 0.0), (At(x, y, -2), At(x, d, -2)));
        Assert.Equal((2.0, 1.0), (At(x, y, 2), At(x, d, 2)));
        (x, _, d) = ActivationPlot.Sample(new Tanh());
        Assert.Equal(1.0, At(x, d, 0), 6);
        Assert.Equal(1 - Math.Pow(Math.Tanh(1), 2), At(x, d, 1), 5);
    }

    [Fact]
    public void Every_activation_gets_a_panel_with_both_curves()
    {
        var all = Activation.All();
        using var image = ActivationPlot.Render(all);
        var grid = GridShape.ForCount(all.Count);
        Assert.Equal((grid.Columns * ActivationPlot.PanelWidth, grid.Rows * ActivationPlot.PanelHeight), (image.Width, image.Height));
        for (int i = 0; i < grid.Rows * grid.Columns; i++)
        {
            var panel = SKRectI.Create(i % grid.Columns * ActivationPlot.PanelWidth, i / grid.Columns * ActivationPlot.PanelHeight,
                ActivationPlot.PanelWidth, ActivationPlot.PanelHeight);
            if (i < all.Count)
            {
                Assert.True(Picture.CountNear(image, panel, Blue) > 100, $"panel {i} ({all[i].Spec}) has no f(x) curve");
                Assert.True(Picture.CountNear(image, panel, Orange) > 30, $"panel {i} ({all[i].Spec}) has no f'(x) curve");
            }
            else Assert.Equal(1, Picture.DistinctColours(image, panel)); // the unused cell stays blank
        }
    }

    [Fact]
    public void Metrics_files_read_back_what_train_writes()
    {
        var path = _dir.File("run.jsonl");
        using (var file = MetricsLog.Open(path))
        {
            file.Write(new EpochMetrics(1, 0.9f, 0.8f, 0.7f, 1000, 2.5, 0.001f));
            file.Write(new EpochMetrics(2, 0.5f, float.NaN, float.NaN, 1000, 2.5, 0.0005f));
        }
        var epochs = MetricsLog.Read(path);
        Assert.Equal(2, epochs.Count);
        Assert.Equal((1, 0.9f, 0.8f, 0.7f), (epochs[0].Epoch, epochs[0].TrainLoss, epochs[0].TestLoss, epochs[0].TestAccuracy));
        Assert.Equal(0.0005f, epochs[1].LearningRate);
        Assert.True(float.IsNaN(epochs[1].TestLoss) && float.IsNaN(epochs[1].TestAccuracy));

        File.AppendAllText(path, "{\"epoch\": 3, \"train_loss\": \"lots\"}\n");
        var e = Assert.Throws<InvalidDataException>(() => MetricsLog.Read(path));
        Assert.StartsWith($"{path}:3:", e.Message);
    }

    [Fact]
    public void Curves_overlay_runs_in_both_panels()
    {
        static List<EpochMetrics> Run(float start) =>
            [.. Enumerable.Range(1, 5).Select(e => new EpochMetrics(e, start / e, start / e + 0.1f, 1 - start / (e + 2), 1000, 1, 0.001f))];
        using var image = TrainingCurves.Render([new("relu", Run(0.6f)), new("sigmoid", Run(0.9f))]);
        Assert.Equal((2 * TrainingCurves.PanelWidth, TrainingCurves.PanelHeight), (image.Width, image.Height));
        foreach (int left in new[] { 0, TrainingCurves.PanelWidth })
        {
            var panel = SKRectI.Create(left, 0, TrainingCurves.PanelWidth, TrainingCurves.PanelHeight);
            Assert.True(Picture.CountNear(image, panel, Blue, 20) > 100, $"panel at x = {left} has no first run");
            Assert.True(Picture.CountNear(image, panel, Orange, 20) > 100, $"panel at x = {left} has no second run");
        }
    }
}
