using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite explain: one sample forward and backward, layer by layer, with the gradient's size at each step.</summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = "a model file written by train --out, or a preset/spec (fresh weights)",
            DefaultValueFactory = _ => "mlp",
        };
        var data = CliOptions.Data();
        var index = new Option<int>("--index") { Description = "which test image (0-based)", DefaultValueFactory = _ => 0 };
        var loss = new Option<string?>("--loss") { Description = "cross-entropy, mse or bce (default: the model file's, else cross-entropy)" };
        var seed = CliOptions.Seed();
        var command = new Command("explain", "follow one sample through the forward and the backward pass, layer by layer")
        {
            model, data, index, loss, seed,
        };
        command.SetAction(r =>
        {
            var name = r.GetValue(model)!;
            var dir = r.GetValue(data)!;
            int i = r.GetValue(index);
            var lossName = r.GetValue(loss)?.ToLowerInvariant();
            var chosen = lossName is null ? null : Choices.Loss(lossName);
            ModelSource source;
            if (ModelSource.IsFile(name)) source = ModelSource.Open(name, [], 0, 0);
            else
            {
                if (!Directory.Exists(dir)) throw new UsageException($"--data: {dir} does not exist");
                var test = IdxDataset.LoadTest(dir);
                source = ModelSource.Open(name, test.SampleShape, test.Classes, r.GetValue(seed), chosen, test.ClassNames);
            }
            var (sample, label, _) = source.TestSample(dir, i);
            var trace = BackpropTrace.Run(source.Net, chosen ?? source.Metadata.CreateLoss(), sample, label);
            Console.WriteLine($"{source.Net.Spec} ({source.Net.ParameterCount:N0} parameters), {source.Name}, on test image {i} of {dir}");
            Console.WriteLine();
            Console.Write(trace.ToText(source.Metadata.ClassNames));
            return 0;
        });
        return command;
    }
}
