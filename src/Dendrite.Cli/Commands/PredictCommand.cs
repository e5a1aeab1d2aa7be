using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite predict: classify PNG or JPEG images with a saved model and print the likeliest classes.</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = CliOptions.ModelFile();
        var images = new Argument<string[]>("images") { Description = "PNG or JPEG files", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top") { Description = "how many classes to list per image", DefaultValueFactory = _ => 3 };
        var invert = new Option<bool>("--invert") { Description = "invert grey levels (dark objects on a light background)" };
        var json = new Option<bool>("--json") { Description = "print a JSON array, one object per image" };
        var device = CliOptions.Device();
        var spec = CliOptions.Spec();
        var input = CliOptions.Input();
        input.Description = "with --spec: the per-sample input shape, e.g. 3x32x32";
        var command = new Command("predict", "classify images with a saved model") { model, images, top, invert, json, device, spec, input };
        command.SetAction(r =>
        {
            int k = CliOptions.Positive(r.GetValue(top), "--top");
            var engine = CliOptions.Engine(Environment.ProcessorCount, r.GetValue(device)!);
            var saved = CliOptions.LoadModel(r.GetValue(model)!, r.GetValue(spec), () => CliOptions.Shape(r.GetValue(input)!, "--input"), engine);
            CliOptions.OnDevice(saved.Net);
            var meta = saved.Metadata;
            if (meta.Loss == "mse")
                throw new UsageException($"--model {r.GetValue(model)}: a regression model (trained with mse) has no classes to predict; `eval` reports its errors");
            var paths = r.GetValue(images)!;
            // Every image is read before anything is printed: a bad one fails the command cleanly.
            var inputs = paths.Select(p => ImageInput.Load(p, meta.InputShape, r.GetValue(invert))).ToList();
            var results = new List<(string Path, (int Class, float P)[] Top)>();
            for (int i = 0; i < paths.Length; i++)
            {
                var p = saved.Predict(inputs[i], 1)[0].Probabilities;
                results.Add((paths[i], [.. p.Select((v, c) => (c, v)).OrderByDescending(t => t.v).Take(k)]));
            }
            if (r.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(results.Select(x => new
                {
                    image = x.Path,
                    predictions = x.Top.Select(t => new { @class = t.Class, name = meta.ClassName(t.Class), probability = t.P }),
                }), CliOptions.Json));
            else
                foreach (var (path, best) in results)
                    Console.WriteLine($"{path}: " + string.Join(", ", best.Select(t =>
                        $"{meta.ClassName(t.Class)} {(t.P * 100).ToString("F2", CultureInfo.InvariantCulture)}%")));
            return 0;
        });
        return command;
    }
}
