using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite plot boundary: a model trained on a table (train --data FILE.csv --out MODEL) drawn over that table:
/// decision regions for two features, the fitted curve (and RBF centres) for a regression of one.
/// </summary>
public static class PlotBoundaryCommand
{
    public static Command Create()
    {
        var model = CliOptions.ModelFile();
        var data = new Option<string>("--data") { Description = "the CSV table the model was trained on", Required = true };
        var target = new Option<string>("--target") { Description = "the column the model predicts (a header name or a 1-based number)", Required = true };
        var title = new Option<string?>("--title") { Description = "the picture's title (default: the model's spec)" };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var command = new Command("boundary", "decision regions of a 2-feature classifier over its points, or a 1-feature regression's curve with its RBF centres")
            { model, data, target, title, output };
        command.SetAction(r =>
        {
            var saved = ModelFile.Load(r.GetValue(model)!);
            var meta = saved.Metadata;
            if (meta.FeatureMean is null)
                throw new UsageException($"--model: {r.GetValue(model)} was not trained on a table (train --data FILE.csv --out MODEL writes one)");
            bool regression = meta.Loss == "mse";
            var table = TabularData.Load(r.GetValue(data)!, r.GetValue(target)!, regression ? TabularTask.Regression : TabularTask.Classification, testFraction: 0);
            var rows = table.Train;
            if (rows.SampleSize != meta.InputShape[0])
                throw new UsageException($"--data: {rows.SampleSize} feature columns, the model takes {meta.InputShape[0]}");
            // The table comes back standardised on all its rows: undo that to get the raw values the picture's axes show.
            var raw = (float[])rows.Features.Clone();
            for (int i = 0; i < raw.Length; i++) raw[i] = raw[i] * table.Std[i % table.Std.Length] + table.Mean[i % table.Mean.Length];
            string heading = r.GetValue(title) ?? saved.Net.Spec;
            using var image = regression
                ? Guard(() => BoundaryPlot.RenderRegression(saved.Net, meta, raw, rows.Targets!, heading))
                : Guard(() => BoundaryPlot.RenderClassifier(saved.Net, meta, raw, rows.Labels, rows.ClassNames, heading));
            string path = r.GetValue(output)!;
            Png.Save(image, path);
            if (!regression)
            {
                var predicted = BoundaryPlot.Classify(saved.Net, meta, raw);
                int right = predicted.Where((p, i) => p == rows.Labels[i]).Count();
                Console.WriteLine($"{right} of {rows.Count} points on the side of their class ({100.0 * right / rows.Count:F1}%)");
            }
            Console.WriteLine($"{path}: {image.Width} x {image.Height} pixels");
            return 0;
        });
        return command;
    }

    private static SkiaSharp.SKBitmap Guard(Func<SkiaSharp.SKBitmap> render)
    {
        try
        {
            return render();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--model: {e.Message}");
        }
    }
}
