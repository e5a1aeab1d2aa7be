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
        var command = new Command("summary", "print the layer table of a model") { model, input, classes };
        command.SetAction(r =>
        {
            var shape = CliOptions.Shape(r.GetValue(input)!, "--input");
            var net = ModelSpec.Build(r.GetValue(model)!, shape, CliOptions.Positive(r.GetValue(classes), "--classes"), 1);
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
            long p = layer.Parameters.Sum(x => (long)x.Length);
            macs += layer.MultiplyAdds;
            table.AddRow(layer.Position.ToString(), Markup.Escape(layer.Spec), Markup.Escape(Tensor.Format(layer.OutputShape)),
                p == 0 ? "" : p.ToString("N0"), layer.MultiplyAdds == 0 ? "" : layer.MultiplyAdds.ToString("N0"));
        }
        table.AddRow("", "[bold]total[/]", "", $"[bold]{net.ParameterCount:N0}[/]", $"[bold]{macs:N0}[/]");
        AnsiConsole.Write(table);
    }
}
