using System.CommandLine;
using System.Globalization;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite plot descent: the library's optimizers walking a two-weight loss (bowl, valley, rosenbrock, or a real
/// model's loss on Fashion-MNIST), and plain descent at three learning rates on the same surface.
/// </summary>
public static class PlotDescentCommand
{
    public static Command Create()
    {
        var surface = new Option<string>("--surface") { Description = "bowl, valley, rosenbrock or model (a logistic unit's weight and bias on Fashion-MNIST)", DefaultValueFactory = _ => "valley" };
        var optimizers = new Option<string>("--optimizers") { Description = "optimizers for the left panel, comma-separated (each at the surface's rate for it)", DefaultValueFactory = _ => "sgd,momentum,adam" };
        var lr = new Option<string?>("--lr") { Description = "learning rates of plain descent for the right panel, comma-separated (default: too small, good, too large for the surface)" };
        var rateOptimizer = new Option<string>("--lr-optimizer") { Description = "the optimizer the right panel runs at each --lr", DefaultValueFactory = _ => "sgd" };
        var steps = new Option<int?>("--steps") { Description = "steps of each walk (default: the surface's)" };
        var data = CliOptions.Data();
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var command = new Command("descent", "contours of a two-weight loss with each optimizer's path, and too small / good / too large learning rates")
            { surface, optimizers, lr, rateOptimizer, steps, data, output };
        command.SetAction(r =>
        {
            string name = r.GetValue(surface)!.ToLowerInvariant();
            var names = r.GetValue(optimizers)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var o in names.Append(r.GetValue(rateOptimizer)!))
                if (!OptimizerCatalog.Names.Contains(o))
                    throw new UsageException($"--optimizers: '{o}' is not one of {string.Join(", ", OptimizerCatalog.Names)}");
            float[]? rates = r.GetValue(lr) is { } text ? Rates(text) : null;
            int? stepCount = r.GetValue(steps) is { } st ? CliOptions.Positive(st, "--steps") : null;
            var s = name == "model" ? ModelSurface(r.GetValue(data)!) : Named(name);
            int n = stepCount ?? s.Steps;
            var good = s.RateFor(r.GetValue(rateOptimizer)!) ?? OptimizerCatalog.Create(r.GetValue(rateOptimizer)!).LearningRate;
            rates ??= [good / 10, good, s.DivergingRate > 0 ? s.DivergingRate : good * 20];
            var left = names.Select(o => DescentPath.Walk(s, o, null, n)).ToList();
            var right = rates.Select(rate => DescentPath.Walk(s, r.GetValue(rateOptimizer)!, rate, n)).ToList();
            using var image = DescentPlot.Render(s, left, right);
            string path = r.GetValue(output)!;
            Png.Save(image, path);
            foreach (var p in left.Concat(right))
                Console.WriteLine($"{s.Name}: {p.Optimizer} lr {p.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}: " +
                                  (p.Diverged ? $"diverged after {p.Points.Count - 1} steps" : $"loss {p.FinalLoss(s):G4} after {p.Points.Count - 1} steps at ({p.Points[^1].X:G3}, {p.Points[^1].Y:G3})"));
            Console.WriteLine($"{path}: {image.Width} x {image.Height} pixels");
            return 0;
        });
        return command;
    }

    private static LossSurface Named(string name)
    {
        try
        {
            return LossSurface.Named(name);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--surface: {e.Message}");
        }
    }

    private static float[] Rates(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        return [.. parts.Select(p => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && float.IsFinite(v)
            ? v : throw new UsageException($"--lr: '{p}' is not a positive number (give rates like 0.01,0.1,1)"))];
    }

    /// <summary>Trouser (class 1) against pullover (class 2) by each image's mean brightness: a weight and a bias.</summary>
    public static LossSurface ModelSurface(string dir)
    {
        var (train, _) = CliOptions.LoadData(dir, trainLimit: 6000, testLimit: 1);
        return LossSurface.ForBrightness(train, positive: 1, negative: 2);
    }
}
