using System.CommandLine;
using System.Text.Json;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite eval: a saved model's accuracy and loss on the test split of an IDX folder.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = CliOptions.ModelFile();
        var data = CliOptions.Data();
        var limit = new Option<int?>("--test-limit") { Description = "use only the first N test samples" };
        var json = new Option<bool>("--json") { Description = "print {\"test_accuracy\":..,\"test_loss\":..,\"samples\":..}" };
        var threads = CliOptions.Threads();
        var device = CliOptions.Device();
        var confusion = new Option<bool>("--confusion") { Description = "also print the confusion matrix and per-class accuracy" };
        var confusionPng = new Option<string?>("--confusion-png") { Description = "also draw the confusion matrix into this PNG file" };
        var spec = CliOptions.Spec();
        var input = new Option<string?>("--input") { Description = "with --spec: the per-sample input shape (default: the data's)" };
        var testFraction = new Option<double?>("--test-fraction") { Description = "one tree of image class folders: the share held out for testing (default: what the model was trained with, else 0.2)" };
        var seed = new Option<ulong?>("--seed") { Description = "one tree of image class folders: the seed of the split (default: the model's training seed, else 1)" };
        var stream = new Option<bool>("--stream") { Description = "read the test images from disk as they are needed instead of loading them all" };
        var command = new Command("eval", "evaluate a saved model on the test set")
        {
            model, data, limit, json, threads, device, confusion, confusionPng, spec, input, testFraction, seed, stream,
        };
        command.SetAction(r =>
        {
            var engine = CliOptions.Engine(r.GetValue(threads), r.GetValue(device)!);
            if (r.GetValue(confusion) && r.GetValue(json)) throw new UsageException("--confusion prints a table; it cannot be combined with --json");
            int max = r.GetValue(limit) is { } l ? CliOptions.Positive(l, "--test-limit") : int.MaxValue;
            string dir = r.GetValue(data)!;
            var saved = CliOptions.LoadModel(r.GetValue(model)!, r.GetValue(spec), () => r.GetValue(input) is { } i
                ? CliOptions.Shape(i, "--input") : TestShape(dir), engine);
            CliOptions.OnDevice(saved.Net);
            var split = new Split(r.GetValue(testFraction) is { } f ? f is >= 0 and < 1 ? f
                : throw new UsageException($"--test-fraction: must be in [0, 1), got {f.ToString(System.Globalization.CultureInfo.InvariantCulture)}") : null,
                r.GetValue(seed), r.GetValue(stream));
            var raw = RawTestSet(dir, max, saved.Metadata, split);
            var result = saved.Evaluate(raw);
            Console.WriteLine(r.GetValue(json)
                ? JsonSerializer.Serialize(new { test_accuracy = result.Accuracy, test_loss = result.Loss, samples = result.Samples }, CliOptions.Json)
                : $"test accuracy {result.Accuracy * 100:F2}%  test loss {result.Loss:F4}  on {result.Samples:N0} samples");
            if (r.GetValue(confusion) || r.GetValue(confusionPng) is not null) ConfusionReport.Write(saved.Net, saved.Normalised(raw), r.GetValue(confusion), r.GetValue(confusionPng));
            return 0;
        });
        return command;
    }

    /// <summary>The shape of the folder's test samples.</summary>
    public static int[] TestShape(string dir)
    {
        if (!Directory.Exists(dir)) throw new UsageException($"--data: {dir} does not exist");
        // Headers only: a streamed folder decodes nothing yet.
        return ImageFolder.Looks(dir) ? ImageFolder.Load(dir, new ImageFolderOptions { Stream = true }).Test.SampleShape : IdxDataset.LoadTest(dir, 1).SampleShape;
    }

    /// <summary>The folder's test split, checked against the model and normalised as it was in training.</summary>
    public static Dataset TestSet(string dir, int limit, ModelMetadata meta) => RawTestSet(dir, limit, meta).Normalized(meta.Normalization);

    /// <summary>
    /// How the test split is chosen and read: a one-tree folder's test fraction and seed (null: the model's, else 0.2 and 1),
    /// and whether the images are streamed.
    /// </summary>
    public sealed record Split(double? TestFraction = null, ulong? Seed = null, bool Stream = false);

    /// <summary>The folder's test split, checked against the model, as read (pixels in [0, 1]), with the model's class names.</summary>
    public static Dataset RawTestSet(string dir, int limit, ModelMetadata meta, Split? split = null)
    {
        if (!Directory.Exists(dir)) throw new UsageException($"--data: {dir} does not exist");
        split ??= new Split();
        var test = ImageFolder.Looks(dir) ? FolderTest(dir, limit, meta, split)
            : split.Stream ? IdxDataset.OpenTest(dir, limit) : IdxDataset.LoadTest(dir, limit);
        if (!test.SampleShape.SequenceEqual(meta.InputShape))
            throw new UsageException($"--data: samples are {Tensor.Format(test.SampleShape)}, the model takes {Tensor.Format(meta.InputShape)}");
        int top = test.Labels.Length == 0 ? 0 : test.Labels.Max();
        if (top >= meta.Outputs)
            throw new UsageException($"--data: label {top} is outside the model's {meta.Outputs} classes");
        return test.WithClasses(meta.Outputs, meta.ClassNames);
    }

    // An image folder's test split (train/test, or the split of one tree the model was trained with), in the model's classes.
    private static Dataset FolderTest(string dir, int limit, ModelMetadata meta, Split split)
    {
        if (meta.ClassNames is null) throw new UsageException($"--data: {dir} is an image folder, and the model has no class names to match its folders with");
        if (meta.InputShape is not [1 or 3, _, _]) throw new UsageException($"--data: {dir} is an image folder; the model takes {Tensor.Format(meta.InputShape)}, not images");
        var options = new ImageFolderOptions
        {
            TestFraction = split.TestFraction ?? meta.TestFraction ?? 0.2,
            Seed = split.Seed ?? meta.Seed ?? 1,
            Stream = split.Stream,
        };
        return ImageFolder.LoadTest(dir, meta.InputShape, meta.ClassNames, options).Take(limit);
    }
}
