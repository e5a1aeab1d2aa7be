using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// One panel per elementwise activation: f(x) and f'(x) over [-4, 4], computed by the activation's own
/// <see cref="Activation.Apply"/> and <see cref="Activation.Derive"/> (with dy = 1), so the picture shows the code.
/// Softmax is not drawn: each of its outputs depends on every input, so it has no curve y = f(x).
/// </summary>
public static class ActivationPlot
{
    /// <summary>Size of one activation's panel in pixels.</summary>
    public const int PanelWidth = 360, PanelHeight = 260;
    /// <summary>The range of x drawn.</summary>
    public const float Low = -4f, High = 4f;
    /// <summary>Sample points over [<see cref="Low"/>, <see cref="High"/>], both ends included: a step of 0.01.</summary>
    public const int Points = 801;

    /// <summary>x, f(x) and f'(x) at <see cref="Points"/> evenly spaced points.</summary>
    public static (double[] X, double[] Y, double[] Slope) Sample(Activation activation)
    {
        var x = new float[Points];
        for (int i = 0; i < Points; i++) x[i] = Low + (High - Low) * i / (Points - 1);
        var y = new float[Points];
        var ones = new float[Points];
        Array.Fill(ones, 1f);
        var slope = new float[Points];
        activation.Apply(x, y);
        activation.Derive(x, y, ones, slope);
        return (Array.ConvertAll(x, v => (double)v), Array.ConvertAll(y, v => (double)v), Array.ConvertAll(slope, v => (double)v));
    }

    /// <summary>
    /// The panels in a near-square grid (<see cref="GridShape.ForCount"/>), each <see cref="PanelWidth"/> x
    /// <see cref="PanelHeight"/> pixels and titled with the activation's spec: f(x) solid, f'(x) dashed, the y axis
    /// fitted to the finite values but held within [-4.5, 4.5] (plus a small pad).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="activations"/> is empty.</exception>
    public static SKBitmap Render(IReadOnlyList<Activation> activations)
    {
        if (activations.Count == 0) throw new ArgumentException("no activations to plot", nameof(activations));
        var grid = GridShape.ForCount(activations.Count);
        var bitmap = Drawing.NewBitmap(grid.Columns * PanelWidth, grid.Rows * PanelHeight, Drawing.Background);
        using var canvas = new SKCanvas(bitmap);
        for (int i = 0; i < activations.Count; i++)
        {
            var plot = Panel(activations[i]);
            int x = (i % grid.Columns) * PanelWidth, y = (i / grid.Columns) * PanelHeight;
            Drawing.Chart(canvas, plot, x, y, PanelWidth, PanelHeight);
        }
        canvas.Flush();
        return bitmap;
    }

    private static ScottPlot.Plot Panel(Activation activation)
    {
        var (x, y, slope) = Sample(activation);
        var plot = new ScottPlot.Plot();
        var f = plot.Add.ScatterLine(x, y);
        f.LegendText = "f(x)";
        f.LineWidth = 2;
        f.Color = ScottPlot.Colors.C0;
        var d = plot.Add.ScatterLine(x, slope);
        d.LegendText = "f'(x)";
        d.LineWidth = 2;
        d.LinePattern = ScottPlot.LinePattern.Dashed;
        d.Color = ScottPlot.Colors.C1;
        plot.Title(activation.Spec, 15);
        plot.Legend.Alignment = ScottPlot.Alignment.UpperLeft;
        plot.Legend.FontSize = 11;
        plot.ShowLegend();
        plot.Axes.SetLimitsX(Low, High);
        double top = Math.Max(y.Where(double.IsFinite).Max(), slope.Where(double.IsFinite).Max());
        double bottom = Math.Min(y.Where(double.IsFinite).Min(), slope.Where(double.IsFinite).Min());
        double pad = Math.Max(0.1, (top - bottom) * 0.08);
        plot.Axes.SetLimitsY(Math.Max(bottom, -4.5) - pad, Math.Min(top, 4.5) + pad);
        return plot;
    }
}
