using System.CommandLine;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite summary: each layer's output shape, parameter count and multiply-adds per sample.</summary>
public static class SummaryCommand
{
    public static Command Create()
    {
        var model = new Option<string[]>("--model", "-m")
        {
            Description = "a preset or a layer spec (any spec, e.g. a bare conv(8,5)); give several to compare them on one input",
            DefaultValueFactory = _ => ["mlp"],
        };
        var input = CliOptions.Input();
        var classes = new Option<int>("--classes") { Description = "output classes of a preset", DefaultValueFactory = _ => 10 };
        var data = new Option<string?>("--data") { Description = "IDX folder: also count each ReLU layer's units that never fire on its test set" };
        var limit = new Option<int?>("--test-limit") { Description = "with --data: test images to run (default: all)" };
        var memoryLimit = CliOptions.MemoryLimit();
        var spec = CliOptions.Spec();
        var command = new Command("summary", "print the layer table of a model (a preset, a spec or a model file), or of several side by side") { model, input, classes, data, limit, memoryLimit, spec };
        command.SetAction(r =>
        {
            var shape = CliOptions.Shape(r.GetValue(input)!, "--input");
            int outputs = CliOptions.Positive(r.GetValue(classes), "--classes");
            int max = r.GetValue(limit) is { } l ? CliOptions.Positive(l, "--test-limit") : int.MaxValue;
            long bytes = CliOptions.Bytes(r.GetValue(memoryLimit), "--memory-limit");
            var nets = r.GetValue(model)!.Select(m => r.GetValue(spec) is { } layers ? Foreign(m, layers, shape) : Build(m, shape, outputs, bytes)).ToList();
            foreach (var (net, meta) in nets)
            {
                Print(net);
                if (r.GetValue(data) is { } dir) ExplainCommand.PrintDeadUnits(net, EvalCommand.TestSet(dir, max, meta));
            }
            if (nets.Count > 1) Compare([.. nets.Select(n => n.Net)]);
            return 0;
        });
        return command;
    }

    /// <summary>A model file as saved; a preset with its classifier sized to <paramref name="outputs"/>; a spec as written, whatever it outputs.</summary>
    // A file of weights saved elsewhere (a PyTorch state_dict) in the layers of --spec, on --input.
    private static (Sequential Net, ModelMetadata Metadata) Foreign(string model, string spec, int[] shape)
    {
        var saved = CliOptions.LoadModel(model, spec, () => shape);
        return (saved.Net, saved.Metadata);
    }

    private static (Sequential Net, ModelMetadata Metadata) Build(string model, int[] shape, int outputs, long memoryLimit)
    {
        if (ModelSource.IsFile(model))
        {
            var saved = ModelFile.Load(model);
            return (saved.Net, saved.Metadata);
        }
        static (Sequential, ModelMetadata) Fresh(Sequential net) => (net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        if (ModelSpec.Presets.ContainsKey(model.Trim().ToLowerInvariant())) return Fresh(ModelSpec.Build(model, shape, outputs, 1, memoryLimit: memoryLimit));
        try
        {
            var net = new Sequential(ModelSpec.Parse(model));
            MemoryEstimate.Of(net, shape).Require(memoryLimit, 1, training: false);
            return Fresh(net.Build(shape, seed: 1));
        }
        catch (ShapeException e)
        {
            throw new SpecException(e.Message);
        }
    }

    /// <summary>One row per model: its spec, input, output and totals (the slide's dense / local / conv weight counts).</summary>
    public static void Compare(IReadOnlyList<Sequential> nets)
    {
        var table = new Table().AddColumns("model", "input", "output", "parameters", "multiply-adds");
        table.Columns[3].RightAligned();
        table.Columns[4].RightAligned();
        foreach (var net in nets)
            table.AddRow(Markup.Escape(net.Spec), Markup.Escape(Tensor.Format(net.InputShape)), Markup.Escape(Tensor.Format(net.OutputShape)),
                net.ParameterCount.ToString("N0"), net.Layers.Sum(l => l.MultiplyAdds).ToString("N0"));
        AnsiConsole.Write(table);
    }

    public static void Print(Sequential net)
    {
        var table = new Table().AddColumns("#", "layer", "output", "parameters", "multiply-adds");
        table.Columns[3].RightAligned();
        table.Columns[4].RightAligned();
        table.AddRow("", "input", Markup.Escape(Tensor.Format(net.InputShape)), "", "");
        long macs = 0;
        foreach (var layer in net.Layers)
        {
            macs += layer.MultiplyAdds;
            Row(table, layer, layer.Position.ToString(), "");
        }
        table.AddRow("", "[bold]total[/]", "", $"[bold]{net.ParameterCount:N0}[/]", $"[bold]{macs:N0}[/]");
        AnsiConsole.Write(table);
    }

    // One row per layer; a block's row shows its totals and is followed by its layers, indented, named by path.
    private static void Row(Table table, Layer layer, string number, string indent)
    {
        long p = layer.Parameters.Sum(x => (long)x.Length);
        string spec = layer.Children.Count == 0 ? layer.Spec : layer.Spec.Split('(')[0];
        table.AddRow(number, Markup.Escape(indent + spec), Markup.Escape(Tensor.Format(layer.OutputShape)),
            p == 0 ? "" : p.ToString("N0"), layer.MultiplyAdds == 0 ? "" : layer.MultiplyAdds.ToString("N0"));
        foreach (var child in layer.Children)
        {
            // A block's body or projection is itself a sequential: list its layers directly under the block's name for it.
            if (child is Sequential seq && layer is not Sequential)
                foreach (var inner in seq.Layers) Row(table, inner, $"{number}.{child.LocalName}.{inner.LocalName}", indent + "  ");
            else Row(table, child, $"{number}.{child.LocalName}", indent + "  ");
        }
    }
}
