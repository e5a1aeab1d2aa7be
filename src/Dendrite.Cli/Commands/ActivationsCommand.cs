using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite activations: the input and every convolution and pooling layer's output volume for one image.</summary>
public static class ActivationsCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = "a model file written by train --out, or a preset/spec (fresh, untrained weights)",
            Required = true,
        };
        var image = new Option<string?>("--image") { Description = "an image file (PNG, JPEG), resized to the model's input" };
        var invert = new Option<bool>("--invert") { Description = "with --image: invert grey levels (Fashion-MNIST is light on black)" };
        var data = new Option<string?>("--data") { Description = "folder with IDX files; with --index, take a test image from it" };
        var index = new Option<int?>("--index") { Description = "with --data: which test image (0-based)" };
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var seed = CliOptions.Seed();
        var command = new Command("activations", "draw each convolution and pooling layer's activation maps for one input")
        {
            model, image, invert, data, index, output, seed,
        };
        command.SetAction(r =>
        {
            string? imagePath = r.GetValue(image), dir = r.GetValue(data);
            int? i = r.GetValue(index);
            if (imagePath is not null == (dir is not null || i is not null))
                throw new UsageException("give either --image IMG or --data DIR --index I");
            var source = ModelSource.Open(r.GetValue(model)!, [1, 28, 28], 10, r.GetValue(seed));
            float[] sample;
            string what;
            if (imagePath is not null)
            {
                sample = source.Image(imagePath, r.GetValue(invert));
                what = imagePath;
            }
            else
            {
                var (x, label, name) = source.TestSample(dir ?? IdxDataset.DefaultDirectory, i ?? 0);
                sample = x;
                what = $"test image {i ?? 0} ({name ?? label.ToString()})";
            }
            var maps = ActivationMaps.Collect(source.Net, sample);
            if (maps.Count == 1) throw new UsageException($"--model: {source.Net.Spec} has no convolution or pooling layer, so there are no activation maps");
            using var picture = ActivationMaps.Render(maps);
            var path = r.GetValue(output)!;
            Png.Save(picture, path);
            Console.WriteLine($"{path}: {source.Name} on {what}");
            foreach (var m in maps.Skip(1)) Console.WriteLine($"  {m.Caption}");
            return 0;
        });
        return command;
    }
}
