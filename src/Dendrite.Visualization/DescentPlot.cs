using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// Gradient descent on a two-weight loss: the surface as contour lines over a shaded map (darker is lower; both on a log
/// scale, so the valley floor shows), with the walk of each optimizer from one start on the left panel, and plain descent
/// at a learning rate too small, good and too large on the right.
/// </summary>
public static class DescentPlot
{
    /// <summary>Size of each panel in pixels; the picture is two panels side by side.</summary>
    public const int PanelWidth = 620, PanelHeight = 520;

    /// <summary>Grid points per axis at which the surface is evaluated.</summary>
    public const int Resolution = 90;

    /// <summary>
    /// Two panels: <paramref name="optimizers"/>' paths (left) and <paramref name="rates"/>' paths (right) on
    /// <paramref name="surface"/>. Each path is a line with a dot per step, from the start (a black ring) towards the
    /// minimum (a white star); a diverged path is named so in its legend entry.
    /// </summary>
    /// <exception cref="ArgumentException">Both lists are empty.</exception>
    public static SKBitmap Render(LossSurface surface, IReadOnlyList<DescentPath> optimizers, IReadOnlyList<DescentPath> rates)
    {
        if (optimizers.Count == 0 && rates.Count == 0) throw new ArgumentException("no paths to draw");
        var grid = Evaluate(surface);
        var panels = new List<(IReadOnlyList<DescentPath> Paths, string Title, bool ByRate)>();
        if (optimizers.Count > 0) panels.Add((optimizers, $"{surface.Name}: optimizers from one start", false));
        if (rates.Count > 0) panels.Add((rates, $"{surface.Name}: {rates[0].Optimizer}, three learning rates", true));
        var bitmap = Drawing.NewBitmap(panels.Count * PanelWidth, PanelHeight, Drawing.Background);
        using var canvas = new SKCanvas(bitmap);
        for (int i = 0; i < panels.Count; i++)
        {
            var plot = Panel(surface, grid, panels[i].Paths, panels[i].ByRate);
            plot.Title(panels[i].Title, 15);
            Drawing.Chart(canvas, plot, i * PanelWidth, 0, PanelWidth, PanelHeight);
        }
        canvas.Flush();
        return bitmap;
    }

    /// <summary>The colours of the paths, in order (ScottPlot's Category10: blue, orange, green, red, ...).</summary>
    public static SKColor PathColour(int i)
    {
        var c = new ScottPlot.Palettes.Category10().GetColor(i);
        return new SKColor(c.R, c.G, c.B);
    }

    // log10 of the loss above the grid's lowest value, so that a bowl, a banana and a model's loss all show their floor.
    private static ScottPlot.Coordinates3d[,] Evaluate(LossSurface s)
    {
        var values = new double[Resolution, Resolution];
        double low = double.MaxValue;
        for (int r = 0; r < Resolution; r++)
            for (int c = 0; c < Resolution; c++)
            {
                double v = s.Value(X(s, c), Y(s, r));
                values[r, c] = v;
                if (double.IsFinite(v)) low = Math.Min(low, v);
            }
        double high = 0;
        for (int r = 0; r < Resolution; r++)
            for (int c = 0; c < Resolution; c++)
                if (double.IsFinite(values[r, c])) high = Math.Max(high, values[r, c] - low);
        double floor = Math.Max(high * 1e-4, 1e-12);
        var grid = new ScottPlot.Coordinates3d[Resolution, Resolution];
        for (int r = 0; r < Resolution; r++)
            for (int c = 0; c < Resolution; c++)
            {
                double v = double.IsFinite(values[r, c]) ? values[r, c] - low : high;
                grid[r, c] = new ScottPlot.Coordinates3d(X(s, c), Y(s, r), Math.Log10(v + floor));
            }
        return grid;
    }

    private static double X(LossSurface s, int c) => s.X.Low + (s.X.High - s.X.Low) * c / (Resolution - 1);
    private static double Y(LossSurface s, int r) => s.Y.Low + (s.Y.High - s.Y.Low) * r / (Resolution - 1);

    private static ScottPlot.Plot Panel(LossSurface s, ScottPlot.Coordinates3d[,] grid, IReadOnlyList<DescentPath> paths, bool byRate)
    {
        var plot = new ScottPlot.Plot();
        // The shading: row 0 of a heatmap is drawn at the top, the grid's row 0 is the lowest y.
        var shade = new double[Resolution, Resolution];
        for (int r = 0; r < Resolution; r++)
            for (int c = 0; c < Resolution; c++) shade[Resolution - 1 - r, c] = grid[r, c].Z;
        var heat = plot.Add.Heatmap(shade);
        heat.Colormap = new ScottPlot.Colormaps.Viridis();
        heat.Opacity = 0.3;
        double dx = (s.X.High - s.X.Low) / (Resolution - 1) / 2, dy = (s.Y.High - s.Y.Low) / (Resolution - 1) / 2;
        heat.Extent = new ScottPlot.CoordinateRect(s.X.Low - dx, s.X.High + dx, s.Y.Low - dy, s.Y.High + dy);
        var contour = plot.Add.ContourLines(grid);
        contour.ContourLineCount = 14;
        contour.LineColor = ScottPlot.Colors.Black.WithAlpha(0.45);
        contour.LineWidth = 1;
        contour.LabelStyle.IsVisible = false;
        for (int i = 0; i < paths.Count; i++)
        {
            var p = paths[i];
            var colour = new ScottPlot.Palettes.Category10().GetColor(i);
            var line = plot.Add.Scatter(p.Points.Select(q => Clamp(q.X, s.X)).ToArray(), p.Points.Select(q => Clamp(q.Y, s.Y)).ToArray(), colour);
            line.LineWidth = 2.5f;
            line.MarkerSize = p.Points.Count > 150 ? 0 : 4;
            string rate = $"lr {p.LearningRate:G3}";
            string end = p.Diverged ? "diverged" : $"{p.Points.Count - 1} steps, loss {p.FinalLoss(s):G3}";
            line.LegendText = byRate ? $"{rate}: {end}" : $"{p.Optimizer} {rate}: {end}";
        }
        var start = plot.Add.Marker(s.Start.X, s.Start.Y, ScottPlot.MarkerShape.OpenCircle, 16, ScottPlot.Colors.Black);
        start.LegendText = "start";
        var minimum = plot.Add.Marker(s.Minimum.X, s.Minimum.Y, ScottPlot.MarkerShape.FilledDiamond, 14, ScottPlot.Colors.White);
        minimum.MarkerLineColor = ScottPlot.Colors.Black;
        minimum.MarkerLineWidth = 1;
        minimum.LegendText = "minimum";
        plot.XLabel(s.AxisNames.X, 13);
        plot.YLabel(s.AxisNames.Y, 13);
        plot.Legend.FontSize = 11;
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        plot.HideGrid();
        plot.Axes.SetLimits(s.X.Low, s.X.High, s.Y.Low, s.Y.High);
        return plot;
    }

    // A path that leaves the window is drawn to its edge.
    private static double Clamp(double v, (double Low, double High) range) => Math.Clamp(v, range.Low, range.High);
}
