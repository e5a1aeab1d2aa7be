using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// Learning curves per epoch, side by side: loss (train solid, test dashed) and test accuracy. Each run has one colour
/// and a legend entry, so runs overlay for comparison (sigmoid against ReLU, SGD against Adam). A run with per-step
/// records (<c>train --metrics-every N</c>) also draws each recorded batch's loss, thin, at its place in the epoch; a
/// logarithmic loss axis keeps a diverged run from flattening the others.
/// </summary>
public static class TrainingCurves
{
    /// <summary>Size of each of the two panels in pixels; the picture is 2 x <see cref="PanelWidth"/> wide.</summary>
    public const int PanelWidth = 560, PanelHeight = 400;

    /// <summary>One training run to draw.</summary>
    /// <param name="Name">Its legend label.</param>
    /// <param name="Epochs">Its metrics, one entry per epoch.</param>
    /// <param name="Steps">Its per-step records, or null or empty for none.</param>
    public sealed record Run(string Name, IReadOnlyList<EpochMetrics> Epochs, IReadOnlyList<StepMetrics>? Steps = null);

    /// <summary>
    /// The loss panel on the left, the accuracy panel (in percent) on the right. Epochs whose test loss or test
    /// accuracy is not finite (no test set) are left out of those lines; a run without test metrics draws train loss only.
    /// With <paramref name="logLoss"/> the loss axis is logarithmic (base 10), and losses that are not positive and finite are left out.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="runs"/> is empty.</exception>
    public static SKBitmap Render(IReadOnlyList<Run> runs, bool logLoss = false)
    {
        double Loss(double v) => logLoss ? Math.Log10(v) : v;
        bool Keep(float v) => float.IsFinite(v) && (!logLoss || v > 0);
        if (runs.Count == 0) throw new ArgumentException("no runs to plot", nameof(runs));
        var loss = new ScottPlot.Plot();
        var accuracy = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var colour = palette.GetColor(r);
            if (run.Steps is { Count: > 0 } steps)
            {
                var kept = steps.Where(st => Keep(st.TrainLoss)).ToList();
                var batch = loss.Add.Scatter(kept.Select(st => st.EpochPosition).ToArray(), kept.Select(st => Loss(st.TrainLoss)).ToArray(), colour.WithAlpha(0.45));
                batch.LegendText = $"{run.Name} batch";
                batch.LineWidth = 1;
                batch.MarkerSize = 0;
            }
            var trainKept = Finite(run.Epochs, e => e.TrainLoss, Keep);
            var train = loss.Add.Scatter(trainKept.X, [.. trainKept.Y.Select(Loss)], colour);
            train.LegendText = $"{run.Name} train";
            train.LineWidth = 2;
            var test = Finite(run.Epochs, e => e.TestLoss, Keep);
            test = (test.X, [.. test.Y.Select(Loss)]);
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
        Style(loss, "loss per epoch", logLoss ? "loss (log scale)" : "loss", ScottPlot.Alignment.UpperRight);
        if (logLoss) LogAxis(loss);
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

    /// <summary>Labels a left axis that holds log10 of the values with the values themselves (10^tick, two digits).</summary>
    public static void LogAxis(ScottPlot.Plot plot) =>
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => Math.Pow(10, v).ToString("G2", System.Globalization.CultureInfo.InvariantCulture),
        };

    private static (double[] X, double[] Y) Finite(IReadOnlyList<EpochMetrics> epochs, Func<EpochMetrics, float> value, Func<float, bool>? keep = null)
    {
        var kept = epochs.Where(e => (keep ?? float.IsFinite)(value(e))).ToList();
        return ([.. kept.Select(e => (double)e.Epoch)], [.. kept.Select(e => (double)value(e))]);
    }
}
