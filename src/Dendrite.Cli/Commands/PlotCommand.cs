using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite plot activations | metrics: charts of the activation functions and of training runs.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var command = new Command("plot", "draw charts: the activation functions, or training curves from metrics files");
        command.Subcommands.Add(Activations());
        command.Subcommands.Add(Metrics());
        return command;
    }

    private static Command Activations()
    {
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var command = new Command("activations", "every elementwise activation with its derivative, one panel each") { output };
        command.SetAction(r =>
        {
            var all = Activation.All();
            using var image = ActivationPlot.Render(all);
            var path = r.GetValue(output)!;
            Png.Save(image, path);
            Console.WriteLine($"{path}: {string.Join(", ", all.Select(a => a.Spec))}");
            Console.WriteLine("softmax is not drawn: each output depends on every input, so it has no curve y = f(x)");
            return 0;
        });
        return command;
    }

    private static Command Metrics()
    {
        var files = new Argument<string[]>("RUN.jsonl") { Description = "metrics files written by train --metrics", Arity = ArgumentArity.OneOrMore };
        var names = new Option<string?>("--names") { Description = "legend names, comma-separated (default: the file names)" };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var command = new Command("metrics", "train/test loss and test accuracy per epoch; several runs overlay") { files, names, output };
        command.SetAction(r =>
        {
            var paths = r.GetValue(files)!;
            var labels = r.GetValue(names)?.Split(',') ?? [.. paths.Select(Path.GetFileNameWithoutExtension).Select(n => n!)];
            if (labels.Length != paths.Length)
                throw new UsageException($"--names: {labels.Length} names for {paths.Length} files");
            var runs = paths.Select((p, i) => new TrainingCurves.Run(labels[i], MetricsLog.Read(p))).ToList();
            using var image = TrainingCurves.Render(runs);
            var path = r.GetValue(output)!;
            Png.Save(image, path);
            foreach (var run in runs)
                Console.WriteLine($"{run.Name}: {run.Epochs.Count} epochs, final test accuracy {run.Epochs[^1].TestAccuracy * 100:F2}%");
            Console.WriteLine($"{path}: {image.Width} x {image.Height} pixels");
            return 0;
        });
        return command;
    }
}
