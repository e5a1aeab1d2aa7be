using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// Learning curves per epoch, side by side: loss (train solid, test dashed) and test accuracy. Each run has one colour
/// and a legend entry, so runs overlay for comparison (sigmoid against ReLU, SGD against Adam).
/// </summary>
public static class TrainingCurves
{
    /// <summary>Size of each of the two panels in pixels; the picture is 2 x <see cref="PanelWidth"/> wide.</summary>
    public const int PanelWidth = 560, PanelHeight = 400;

    /// <summary>One training run to draw.</summary>
    /// <param name="Name">Its legend label.</param>
    /// <param name="Epochs">Its metrics, one entry per epoch.</param>
    public sealed record Run(string Name, IReadOnlyList<EpochMetrics> Epochs);

    /// <summary>
    /// The loss panel on the left, the accuracy panel (in percent) on the right. Epochs whose test loss or test
    /// accuracy is not finite (no test set) are left out of those lines; a run without test metrics draws train loss only.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="runs"/> is empty.</exception>
    public static SKBitmap Render(IReadOnlyList<Run> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to plot", nameof(runs));
        var loss = new ScottPlot.Plot();
        var accuracy = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var colour = palette.GetColor(r);
            double[] epochs = [.. run.Epochs.Select(e => (double)e.Epoch)];
            var train = loss.Add.Scatter(epochs, [.. run.Epochs.Select(e => (double)e.TrainLoss)], colour);
            train.LegendText = $"{run.Name} train";
            train.LineWidth = 2;
            var test = Finite(run.Epochs, e => e.TestLoss);
            if (test.X.Length > 0)
            {
                var t = loss.Add.Scatter(test.X, test.Y, colour);
                t.LegendText = $"{run.Name} test";
                t.LineWidth = 2;
                t.LinePattern = ScottPlot.LinePattern.Dashed;
            }
            var acc = Finite(run.Epochs, e => e.TestAccuracy * 100);
            if (acc.X.Length > 0)
            {
                var a = accuracy.Add.Scatter(acc.X, acc.Y, colour);
                a.LegendText = run.Name;
                a.LineWidth = 2;
            }
        }
        // Losses fall and accuracy rises, so these corners are usually empty.
        Style(loss, "loss per epoch", "loss", ScottPlot.Alignment.UpperRight);
        Style(accuracy, "test accuracy per epoch", "accuracy (%)", ScottPlot.Alignment.LowerRight);
        var bitmap = Drawing.NewBitmap(2 * PanelWidth, PanelHeight, Drawing.Background);
        using var canvas = new SKCanvas(bitmap);
        Drawing.Chart(canvas, loss, 0, 0, PanelWidth, PanelHeight);
        Drawing.Chart(canvas, accuracy, PanelWidth, 0, PanelWidth, PanelHeight);
        canvas.Flush();
        return bitmap;
    }

    private static void Style(ScottPlot.Plot plot, string title, string yLabel, ScottPlot.Alignment legend)
    {
        plot.Legend.Alignment = legend;
        plot.Title(title, 15);
        plot.XLabel("epoch", 13);
        plot.YLabel(yLabel, 13);
        plot.Legend.FontSize = 11;
        plot.ShowLegend();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.AutoScale();
    }

    private static (double[] X, double[] Y) Finite(IReadOnlyList<EpochMetrics> epochs, Func<EpochMetrics, float> value)
    {
        var kept = epochs.Where(e => float.IsFinite(value(e))).ToList();
        return ([.. kept.Select(e => (double)e.Epoch)], [.. kept.Select(e => (double)value(e))]);
    }
}
