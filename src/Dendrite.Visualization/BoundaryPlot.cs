using SkiaSharp;

namespace Dendrite.Visualization;

/// <summary>
/// What a small model does with its inputs, drawn over its data (as TensorFlow Playground shows it): for a classifier of
/// two features, the plane coloured by the class it predicts at each point, paler where it is less sure (white where the
/// classes are equally likely), with the training points on top; for a
/// regression of one feature, the fitted curve through the points, with an RBF layer's centres marked on the curve.
/// Points are raw table values; the model sees them standardised by its <see cref="ModelMetadata.FeatureMean"/> and
/// <see cref="ModelMetadata.FeatureStd"/>, as in training.
/// </summary>
public static class BoundaryPlot
{
    /// <summary>Picture size in pixels.</summary>
    public const int Width = 640, Height = 560;

    /// <summary>Grid cells per axis at which the classifier is evaluated.</summary>
    public const int Resolution = 200;

    /// <summary>The colour of class <paramref name="c"/>'s points (Category10); its region is this colour mixed with 70% white.</summary>
    public static SKColor ClassColour(int c)
    {
        var colour = new ScottPlot.Palettes.Category10().GetColor(c);
        return new SKColor(colour.R, colour.G, colour.B);
    }

    /// <summary>A region's colour where the model is sure: <see cref="ClassColour"/> mixed with 70% white.</summary>
    public static SKColor RegionColour(int c) => ShadeColour(c, 1f);

    /// <summary>
    /// A region's colour at <paramref name="confidence"/> t in [0, 1]: <see cref="ClassColour"/> mixed with 1 - 0.3 t white,
    /// so white where the model cannot tell the classes apart and <see cref="RegionColour"/> where it is sure.
    /// </summary>
    public static SKColor ShadeColour(int c, float confidence)
    {
        var k = ClassColour(c);
        double t = 0.3 * Math.Clamp(confidence, 0f, 1f);
        byte Mix(byte v) => (byte)Math.Round(t * v + (1 - t) * 255);
        return new SKColor(Mix(k.Red), Mix(k.Green), Mix(k.Blue));
    }

    /// <summary>The class the network predicts at each raw point (x, y): the largest output, the first on ties.</summary>
    public static int[] Classify(Sequential net, ModelMetadata meta, ReadOnlySpan<float> points) => PredictClasses(net, meta, points).Classes;

    /// <summary>
    /// The class predicted at each raw point (x, y), and how sure the model is of it: (p - 1/K) / (1 - 1/K) for the
    /// predicted class's probability p among K classes, 0 where all are equally likely and 1 where it is certain.
    /// </summary>
    public static (int[] Classes, float[] Confidence) PredictClasses(Sequential net, ModelMetadata meta, ReadOnlySpan<float> points)
    {
        var x = points.ToArray();
        meta.StandardiseFeatures(x);
        int n = x.Length / 2;
        var outputs = Evaluator.Predict(net, x, n, meta.Loss);
        int k = outputs.Length / n;
        var classes = new int[n];
        var confidence = new float[n];
        for (int i = 0; i < n; i++)
        {
            var row = outputs.AsSpan(i * k, k);
            classes[i] = Dendrite.Kernels.Elementwise.ArgMax(row);
            confidence[i] = k < 2 ? 1f : Math.Clamp((row[classes[i]] - 1f / k) / (1f - 1f / k), 0f, 1f);
        }
        return (classes, confidence);
    }

    // Shades per class in the region colour map: confidence is drawn in this many steps.
    private const int Shades = 16;

    /// <summary>
    /// Decision regions of a two-feature classifier over the box around <paramref name="points"/> (raw, [n, 2]) with each
    /// point drawn in its class's colour (<see cref="ClassColour"/>) over the region colours (<see cref="RegionColour"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The network does not take two features, or the points and labels disagree.</exception>
    public static SKBitmap RenderClassifier(Sequential net, ModelMetadata meta, ReadOnlySpan<float> points, ReadOnlySpan<int> labels,
        IReadOnlyList<string>? classNames = null, string title = "decision regions")
    {
        if (net.InputShape is not [2]) throw new ArgumentException($"decision regions need a model of two features; it takes {Tensor.Format(net.InputShape)}");
        int n = labels.Length;
        if (points.Length != 2 * n || n == 0) throw new ArgumentException($"{points.Length} values for {n} labelled points");
        var (x0, x1) = Box(points, 0, 2);
        var (y0, y1) = Box(points, 1, 2);
        var grid = new float[Resolution * Resolution * 2];
        for (int r = 0; r < Resolution; r++)
            for (int c = 0; c < Resolution; c++)
            {
                grid[(r * Resolution + c) * 2] = (float)(x0 + (x1 - x0) * (c + 0.5) / Resolution);
                grid[(r * Resolution + c) * 2 + 1] = (float)(y1 - (y1 - y0) * (r + 0.5) / Resolution); // row 0 at the top
            }
        var (predicted, confidence) = PredictClasses(net, meta, grid);
        int classes = Math.Max(Math.Max(2, net.OutputShape[0]), labels.ToArray().Max() + 1);
        var plot = new ScottPlot.Plot();
        var values = new double[Resolution, Resolution];
        for (int r = 0; r < Resolution; r++)
            for (int c = 0; c < Resolution; c++)
            {
                int i = r * Resolution + c;
                values[r, c] = predicted[i] * Shades + MathF.Round(confidence[i] * (Shades - 1));
            }
        var heat = plot.Add.Heatmap(values);
        var shades = from c in Enumerable.Range(0, classes) from s in Enumerable.Range(0, Shades) select Colour(ShadeColour(c, s / (Shades - 1f)));
        heat.Colormap = new ScottPlot.Colormaps.Custom([.. shades], false);
        heat.ManualRange = new ScottPlot.Range(0, classes * Shades - 1);
        heat.Extent = new ScottPlot.CoordinateRect(x0, x1, y0, y1);
        for (int c = 0; c < classes; c++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < n; i++)
                if (labels[i] == c)
                {
                    xs.Add(points[2 * i]);
                    ys.Add(points[2 * i + 1]);
                }
            if (xs.Count == 0) continue;
            var dots = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), Colour(ClassColour(c)));
            dots.MarkerSize = 7;
            dots.MarkerShape = ScottPlot.MarkerShape.FilledCircle;
            dots.MarkerLineColor = ScottPlot.Colors.Black;
            dots.MarkerLineWidth = 0.6f;
            dots.LegendText = classNames is not null && c < classNames.Count ? $"class {classNames[c]}" : $"class {c}";
        }
        Finish(plot, meta, title, (x0, x1), (y0, y1));
        return Draw(plot);
    }

    /// <summary>
    /// The fitted curve of a one-feature regression over the range of <paramref name="xs"/> (raw), the points (xs, ys),
    /// and, when the network's first layer is an <see cref="Rbf"/> layer, its centres as triangles on the curve.
    /// </summary>
    /// <exception cref="ArgumentException">The network does not take one feature and give one value.</exception>
    public static SKBitmap RenderRegression(Sequential net, ModelMetadata meta, ReadOnlySpan<float> xs, ReadOnlySpan<float> ys, string title = "fitted curve")
    {
        if (net.InputShape is not [1] || net.OutputShape is not [1])
            throw new ArgumentException($"a fitted curve needs a model of one feature and one output; it maps {Tensor.Format(net.InputShape)} to {Tensor.Format(net.OutputShape)}");
        var (x0, x1) = Box(xs, 0, 1);
        const int samples = 600;
        var curveX = Enumerable.Range(0, samples).Select(i => (float)(x0 + (x1 - x0) * i / (samples - 1))).ToArray();
        var curveY = Predict(net, meta, curveX);
        var plot = new ScottPlot.Plot();
        var dots = plot.Add.ScatterPoints(xs.ToArray().Select(v => (double)v).ToArray(), ys.ToArray().Select(v => (double)v).ToArray(), Colour(ClassColour(0)));
        dots.MarkerSize = 5;
        dots.LegendText = "data";
        var curve = plot.Add.ScatterLine(curveX.Select(v => (double)v).ToArray(), curveY.Select(v => (double)v).ToArray(), Colour(ClassColour(1)));
        curve.LineWidth = 3;
        curve.LegendText = "model";
        if (net.Layers.FirstOrDefault(l => l is not Flatten) is Rbf rbf)
        {
            var mean = meta.FeatureMean?[0] ?? 0f;
            var std = meta.FeatureStd?[0] ?? 1f;
            var centres = rbf.Centres.Value.Span.ToArray().Select(c => c * std + mean).ToArray();
            var atCentres = Predict(net, meta, centres);
            var marks = plot.Add.ScatterPoints(centres.Select(v => (double)v).ToArray(), atCentres.Select(v => (double)v).ToArray(), Colour(ClassColour(3)));
            marks.MarkerShape = ScottPlot.MarkerShape.FilledTriangleUp;
            marks.MarkerSize = 11;
            marks.LegendText = $"{centres.Length} rbf centres";
        }
        var (y0, y1) = Box(ys, 0, 1);
        Finish(plot, meta, title, (x0, x1), (Math.Min(y0, curveY.Min()), Math.Max(y1, curveY.Max())), target: true);
        return Draw(plot);
    }

    private static float[] Predict(Sequential net, ModelMetadata meta, float[] raw)
    {
        var x = (float[])raw.Clone();
        meta.StandardiseFeatures(x);
        return net.Predict(new Tensor(x, x.Length, 1)).Span.ToArray(); // the outputs themselves, no softmax
    }

    // The values' range in one column of rows of `width`, widened by 8% on each side (1 when they are all equal).
    private static (double Low, double High) Box(ReadOnlySpan<float> values, int column, int width)
    {
        double low = double.MaxValue, high = double.MinValue;
        for (int i = column; i < values.Length; i += width)
        {
            low = Math.Min(low, values[i]);
            high = Math.Max(high, values[i]);
        }
        double pad = high > low ? 0.08 * (high - low) : 1;
        return (low - pad, high + pad);
    }

    private static void Finish(ScottPlot.Plot plot, ModelMetadata meta, string title, (double, double) x, (double, double) y, bool target = false)
    {
        var names = meta.FeatureNames;
        plot.Title(title, 15);
        plot.XLabel(names is { Length: > 0 } ? names[0] : "x1", 13);
        plot.YLabel(target ? "target" : names is { Length: > 1 } ? names[1] : "x2", 13);
        plot.Legend.FontSize = 11;
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        plot.HideGrid();
        plot.Axes.SetLimits(x.Item1, x.Item2, y.Item1, y.Item2);
    }

    private static SKBitmap Draw(ScottPlot.Plot plot)
    {
        var bitmap = Drawing.NewBitmap(Width, Height, Drawing.Background);
        using var canvas = new SKCanvas(bitmap);
        Drawing.Chart(canvas, plot, 0, 0, Width, Height);
        canvas.Flush();
        return bitmap;
    }

    private static ScottPlot.Color Colour(SKColor c) => new(c.Red, c.Green, c.Blue);
}
