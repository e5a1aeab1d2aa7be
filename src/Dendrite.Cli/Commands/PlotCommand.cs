using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite plot: one figure (PNG) of a figure from one or more --metrics files against the epoch or the training
/// time so far, e.g. test_mse of an RBF network and of an MLP. Each file is one curve, FILE or FILE=LABEL; a file
/// with a single line (a two-phase fit) is drawn as a marker.
/// </summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("metrics") { Description = "JSONL metrics files written by train --metrics, each FILE or FILE=LABEL", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "the PNG to write", Required = true };
        var y = new Option<string>("--y") { Description = "the figure to plot: test_mse, test_loss, test_accuracy, train_loss, ...", DefaultValueFactory = _ => "test_mse" };
        var x = new Option<string>("--x") { Description = "epoch, or seconds (training time so far)", DefaultValueFactory = _ => "epoch" };
        var logY = new Option<bool>("--log-y") { Description = "logarithmic y axis" };
        var title = new Option<string?>("--title") { Description = "the figure's title" };
        var width = new Option<int>("--width") { Description = "pixels", DefaultValueFactory = _ => 800 };
        var height = new Option<int>("--height") { Description = "pixels", DefaultValueFactory = _ => 500 };
        var command = new Command("plot", "plot a metric from train --metrics files against epochs or seconds") { files, output, y, x, logY, title, width, height };
        command.Subcommands.Add(PlotActivationsCommand.Create());
        command.Subcommands.Add(PlotMetricsCommand.Create());
        command.Subcommands.Add(PlotDescentCommand.Create());
        command.Subcommands.Add(PlotBoundaryCommand.Create());
        command.SetAction(r =>
        {
            string xName = r.GetValue(x)!.ToLowerInvariant();
            if (xName is not ("epoch" or "seconds")) throw new UsageException($"--x: '{xName}' is not one of epoch, seconds");
            string yName = r.GetValue(y)!;
            bool log = r.GetValue(logY);
            var plot = new ScottPlot.Plot();
            foreach (var spec in r.GetValue(files)!)
            {
                int eq = spec.IndexOf('=');
                string path = eq < 0 ? spec : spec[..eq], label = eq < 0 ? System.IO.Path.GetFileNameWithoutExtension(path) : spec[(eq + 1)..];
                var (xs, ys) = Read(path, xName, yName, log);
                if (xs.Length == 0) throw new UsageException($"{path}: no finite{(log ? " positive" : "")} {yName} values to plot");
                var curve = plot.Add.Scatter(xs, ys);
                curve.LegendText = label;
                curve.MarkerSize = xs.Length == 1 ? 10 : 0;
                curve.LineWidth = 2;
            }
            if (log)
                plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
                {
                    MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                    IntegerTicksOnly = true,
                    LabelFormatter = v => $"1e{v:0}",
                };
            plot.XLabel(xName == "epoch" ? "epoch" : "training seconds");
            plot.YLabel(yName);
            if (r.GetValue(title) is { } t) plot.Title(t);
            plot.ShowLegend(ScottPlot.Alignment.UpperRight);
            string outPath = r.GetValue(output)!;
            try
            {
                plot.SavePng(outPath, CliOptions.Positive(r.GetValue(width), "--width"), CliOptions.Positive(r.GetValue(height), "--height"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--out: cannot write {outPath}: {e.Message}");
            }
            Console.WriteLine($"wrote {outPath}");
            return 0;
        });
        return command;
    }

    /// <summary>The (x, y) points of one metrics file; y as log10 when asked. Seconds are summed over the epochs.</summary>
    private static (double[] X, double[] Y) Read(string path, string xName, string yName, bool log)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var xs = new List<double>();
        var ys = new List<double>();
        double elapsed = 0;
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            JsonElement row;
            try
            {
                row = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: line {lineNumber}: not JSON: {e.Message}");
            }
            elapsed += Number(row, "seconds", path, lineNumber);
            double xv = xName == "epoch" ? Number(row, "epoch", path, lineNumber) : elapsed;
            double yv = Number(row, yName, path, lineNumber);
            if (!double.IsFinite(yv) || (log && yv <= 0)) continue;
            xs.Add(xv);
            ys.Add(log ? Math.Log10(yv) : yv);
        }
        return ([.. xs], [.. ys]);
    }

    private static double Number(JsonElement row, string name, string path, int line)
    {
        if (!row.TryGetProperty(name, out var v))
            throw new InvalidDataException($"{path}: line {line}: no '{name}'; it has {string.Join(", ", row.EnumerateObject().Select(p => p.Name))}");
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble()
            : double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : double.NaN;
    }
}
