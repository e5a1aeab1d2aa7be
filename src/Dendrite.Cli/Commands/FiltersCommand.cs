using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite filters: a convolution's filters as an enlarged grid, each normalised to its own range.</summary>
public static class FiltersCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = "a model file written by train --out, or a preset/spec (fresh, untrained weights)",
            Required = true,
        };
        var layer = new Option<int?>("--layer") { Description = "the convolution's position as summary numbers it (default: the first convolution)" };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var input = CliOptions.Input();
        var seed = CliOptions.Seed();
        var templates = new Option<bool>("--dense") { Description = "draw the first dense layer's weights instead, each unit's as the image it reads (an MLP's or perceptron's templates)" };
        var diff = new Option<bool>("--diff-from-init") { Description = "draw what training changed, W - W0 (the initial weights rebuilt from the model file's seed)" };
        var command = new Command("filters", "draw a convolution layer's filters as a grid (colour when it reads 3 channels)") { model, layer, output, input, seed, diff, templates };
        command.SetAction(r =>
        {
            var source = ModelSource.Open(r.GetValue(model)!, CliOptions.Shape(r.GetValue(input)!, "--input"), 10, r.GetValue(seed));
            if (r.GetValue(layer) is { } n && (n < 1 || n > source.Net.Layers.Count))
                throw new UsageException($"--layer: {n} is not a layer of the model (1 to {source.Net.Layers.Count}, as summary numbers them)");
            if (r.GetValue(templates))
            {
                if (FilterGrid.FirstLayer(source.Net) is not ({ Layer: Dense } first))
                    throw new UsageException($"--dense: the model's first learnable layer is not a dense layer over the image ({source.Net.Spec})");
                // Each unit's weights laid out as the image it reads: a template.
                using var picture = FilterGrid.Render(first.Weight);
                Png.Save(picture, r.GetValue(output)!);
                Console.WriteLine($"{r.GetValue(output)}: {source.Name}, {first.Layer.Label}, weights of {first.Weight[0]} units as {Tensor.Format(first.Weight.Shape[1..].ToArray())} images, {picture.Width} x {picture.Height} pixels");
                return 0;
            }
            var conv = FilterGrid.Convolution(source.Net, r.GetValue(layer));
            var weight = conv.Weight.Value;
            string note = "";
            if (r.GetValue(diff))
            {
                var change = FilterChange.Of(weight, InitialWeight(source, r.GetValue(model)!, conv));
                weight = change.Change;
                note = $", change from the initial weights: |W - W0| / |W0| = {change.RelativeChange:F3}, correlation of W with W0 {change.Correlation:F3}";
            }
            using var image = FilterGrid.Render(weight);
            var path = r.GetValue(output)!;
            Png.Save(image, path);
            Console.WriteLine($"{path}: {source.Name}, {conv.Label}, weights {Tensor.Format(weight.Shape)}, {image.Width} x {image.Height} pixels{note}");
            return 0;
        });
        return command;
    }

    // The same convolution in the network rebuilt with the file's seed.
    private static Tensor InitialWeight(ModelSource source, string path, Conv2d conv)
    {
        if (!source.Trained) throw new UsageException("--diff-from-init: needs a model file written by train --out; fresh weights have not changed");
        Sequential initial;
        try
        {
            initial = ModelFile.Load(path).Initial();
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"--diff-from-init: {e.Message}");
        }
        int index = source.Net.Walk().ToList().IndexOf(conv);
        return ((Conv2d)initial.Walk().ElementAt(index)).Weight.Value;
    }
}
