namespace Dendrite;

/// <summary>
/// Where an optimizer goes on a <see cref="LossSurface"/>: the library's own optimizer (<see cref="OptimizerCatalog"/>)
/// updates a two-value parameter from the surface's gradient, step by step, from the surface's start.
/// </summary>
/// <param name="Optimizer">The optimizer's name.</param>
/// <param name="LearningRate">Its rate.</param>
/// <param name="Points">The start and the point after each step.</param>
/// <param name="Diverged">True when the walk left the surface's window by more than its own size or met a non-finite value (it stops there).</param>
public sealed record DescentPath(string Optimizer, float LearningRate, IReadOnlyList<(double X, double Y)> Points, bool Diverged)
{
    /// <summary>The loss where the walk ended.</summary>
    public double FinalLoss(LossSurface surface) => surface.Value(Points[^1].X, Points[^1].Y);

    /// <summary>
    /// Walks <paramref name="steps"/> steps of <paramref name="optimizer"/> (a name from <see cref="OptimizerCatalog.Names"/>)
    /// at <paramref name="learningRate"/> (null: the surface's rate for it, else the optimizer's default) down
    /// <paramref name="surface"/> from its start.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown optimizer name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate that is not positive, or steps below 1.</exception>
    public static DescentPath Walk(LossSurface surface, string optimizer, float? learningRate, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var opt = OptimizerCatalog.Create(optimizer, learningRate ?? surface.RateFor(optimizer));
        var w = new Parameter("w", new Tensor(2));
        w.Value.Span[0] = (float)surface.Start.X;
        w.Value.Span[1] = (float)surface.Start.Y;
        var points = new List<(double, double)> { surface.Start };
        double spanX = surface.X.High - surface.X.Low, spanY = surface.Y.High - surface.Y.Low;
        bool diverged = false;
        for (int s = 0; s < steps; s++)
        {
            var (gx, gy) = surface.Gradient(w.Value.Span[0], w.Value.Span[1]);
            w.Grad.Span[0] = (float)gx;
            w.Grad.Span[1] = (float)gy;
            opt.Step([w]);
            double x = w.Value.Span[0], y = w.Value.Span[1];
            if (!double.IsFinite(x) || !double.IsFinite(y) || !float.IsFinite((float)gx) || !float.IsFinite((float)gy))
            {
                diverged = true;
                break;
            }
            points.Add((x, y));
            if (x < surface.X.Low - spanX || x > surface.X.High + spanX || y < surface.Y.Low - spanY || y > surface.Y.High + spanY)
            {
                diverged = true;
                break;
            }
        }
        return new DescentPath(optimizer, opt.LearningRate, points, diverged);
    }
}
