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
        var limit = new Option<int?>("--test-limit") { Description = "test images the dead-unit count runs (default: all)" };
        var command = new Command("explain", "follow one sample through the forward and the backward pass, layer by layer; count the ReLU units that never fire on the test set")
        {
            model, data, index, loss, seed, limit,
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
            int max = r.GetValue(limit) is { } l ? CliOptions.Positive(l, "--test-limit") : int.MaxValue;
            PrintDeadUnits(source.Net, EvalCommand.TestSet(dir, max, source.Metadata));
            return 0;
        });
        return command;
    }

    /// <summary>Each top-level ReLU layer's units that never fire on <paramref name="test"/>; nothing for a network without one.</summary>
    public static void PrintDeadUnits(Sequential net, Dataset test)
    {
        var counts = DeadUnits.Measure(net, test);
        if (counts.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine($"dead units: ReLU units whose output is 0 for every one of the {test.Count:N0} test images (a unit is a feature, or a channel of maps)");
        foreach (var c in counts)
            Console.WriteLine($"  {c.Layer.Position,3}  {c.Layer.Spec,-8}{c.Dead,8:N0} of {c.Units:N0} dead ({c.Fraction * 100:F1}%)" +
                              (c.Fraction > 0.5 ? "  more than half: they pass no gradient and no longer learn (too large a learning rate?)" : ""));
    }
}
