using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite activations: the input and every convolution and pooling layer's output volume for one image.</summary>
public static class ActivationsCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("cnn");
        var image = new Option<string?>("--image") { Description = "an image file (PNG, JPEG, ...), resized to the model's input" };
        var invert = new Option<bool>("--invert") { Description = "with --image: use 1 - pixel (Fashion-MNIST is light on black)" };
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
            var (sample, shape, what) = Sample(r.GetValue(image), r.GetValue(invert), r.GetValue(data), r.GetValue(index));
            var net = ModelSource.Open(r.GetValue(model)!, shape, 10, r.GetValue(seed));
            var maps = ActivationMaps.Collect(net, sample);
            if (maps.Count == 1) throw new UsageException($"--model: {net.Spec} has no convolution or pooling layer, so there are no activation maps");
            using var picture = ActivationMaps.Render(maps);
            var path = r.GetValue(output)!;
            Png.Save(picture, path);
            Console.WriteLine($"{path}: {what}; {string.Join(", ", maps.Skip(1).Select(m => m.Caption.Replace("   ", " ")))}");
            return 0;
        });
        return command;
    }

    /// <summary>The one input sample, its shape, and how to name it.</summary>
    public static (float[] Sample, int[] Shape, string What) Sample(string? image, bool invert, string? data, int? index)
    {
        if (image is not null == (data is not null || index is not null))
            throw new UsageException("give either --image IMG or --data DIR --index I");
        if (image is not null)
        {
            int[] shape = [1, 28, 28];
            return (ImageSample.Load(image, shape, invert), shape, $"{image} as {Tensor.Format(shape)}");
        }
        var (_, test) = CliOptions.LoadData(data ?? IdxDataset.DefaultDirectory);
        int i = index ?? 0;
        if (i < 0 || i >= test.Count) throw new UsageException($"--index: {i} is outside the {test.Count} test images (0 to {test.Count - 1})");
        string label = test.ClassNames is { } n ? n[test.Labels[i]] : test.Labels[i].ToString();
        return (test.Sample(i).ToArray(), test.SampleShape, $"test image {i} ({label})");
    }
}
