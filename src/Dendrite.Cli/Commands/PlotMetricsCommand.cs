using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite plot metrics: train/test loss and test accuracy per epoch from train --metrics files, runs overlaid.</summary>
public static class PlotMetricsCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("RUN.jsonl") { Description = "metrics files written by train --metrics", Arity = ArgumentArity.OneOrMore };
        var names = new Option<string?>("--names") { Description = "legend names, comma-separated (default: the file names)" };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var logY = new Option<bool>("--log-y") { Description = "logarithmic loss axis (a diverged run no longer flattens the others)" };
        var command = new Command("metrics", "train/test loss and test accuracy per epoch, side by side; several runs overlay; step records (train --metrics-every) drawn thin")
            { files, names, output, logY };
        command.SetAction(r =>
        {
            var paths = r.GetValue(files)!;
            var labels = r.GetValue(names)?.Split(',') ?? [.. paths.Select(p => Path.GetFileNameWithoutExtension(p))];
            if (labels.Length != paths.Length)
                throw new UsageException($"--names: {labels.Length} names for {paths.Length} files");
            var runs = paths.Select((p, i) => new TrainingCurves.Run(labels[i], MetricsLog.Read(p), MetricsLog.ReadSteps(p))).ToList();
            using var image = TrainingCurves.Render(runs, r.GetValue(logY));
            var path = r.GetValue(output)!;
            Png.Save(image, path);
            foreach (var run in runs)
                Console.WriteLine($"{run.Name}: {run.Epochs.Count} epochs{(run.Steps is { Count: > 0 } st ? $", {st.Count} step records" : "")}, final test accuracy {run.Epochs[^1].TestAccuracy * 100:F2}%");
            Console.WriteLine($"{path}: {image.Width} x {image.Height} pixels");
            return 0;
        });
        return command;
    }
}
