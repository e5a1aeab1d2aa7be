using System.CommandLine;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite summary: each layer's output shape, parameter count and multiply-adds per sample.</summary>
public static class SummaryCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var classes = new Option<int>("--classes") { Description = "output classes of a preset", DefaultValueFactory = _ => 10 };
        var spec = CliOptions.Spec();
        var command = new Command("summary", "print the layer table of a model, a preset or spec or a model file") { model, input, classes, spec };
        command.SetAction(r =>
        {
            var shape = CliOptions.Shape(r.GetValue(input)!, "--input");
            string name = r.GetValue(model)!;
            var net = r.GetValue(spec) is not null || ModelSource.IsFile(name)
                ? CliOptions.LoadModel(name, r.GetValue(spec), () => shape).Net
                : ModelSpec.Build(name, shape, CliOptions.Positive(r.GetValue(classes), "--classes"), 1);
            Print(net);
            return 0;
        });
        return command;
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
