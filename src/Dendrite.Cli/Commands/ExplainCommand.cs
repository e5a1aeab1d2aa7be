using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite explain: one sample forward and backward, layer by layer, with the gradient's size at each step.</summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var data = CliOptions.Data();
        var index = new Option<int>("--index") { Description = "which test image (0-based)", DefaultValueFactory = _ => 0 };
        var loss = new Option<string>("--loss") { Description = "cross-entropy, mse or bce", DefaultValueFactory = _ => "cross-entropy" };
        var seed = CliOptions.Seed();
        var command = new Command("explain", "follow one sample through the forward and the backward pass, layer by layer")
        {
            model, data, index, loss, seed,
        };
        command.SetAction(r =>
        {
            var lossFunction = Choices.Loss(r.GetValue(loss)!.ToLowerInvariant());
            var dir = r.GetValue(data)!;
            var (_, test) = CliOptions.LoadData(dir);
            int i = r.GetValue(index);
            if (i < 0 || i >= test.Count) throw new UsageException($"--index: {i} is outside the {test.Count} test images (0 to {test.Count - 1})");
            var net = ModelSource.Open(r.GetValue(model)!, test.SampleShape, test.Classes, r.GetValue(seed));
            var trace = BackpropTrace.Run(net, lossFunction, test.Sample(i), test.Labels[i]);
            Console.WriteLine($"{net.Spec} ({net.ParameterCount:N0} parameters) on test image {i} of {dir}");
            Console.WriteLine();
            Console.Write(trace.ToText(test.ClassNames));
            return 0;
        });
        return command;
    }
}
