using System.CommandLine;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite gradcheck: backprop against central finite differences for every parameter tensor of a model on a
/// small random batch. Exit 1 when the worst relative error passes the tolerance.
/// </summary>
public static class GradcheckCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var classes = new Option<int>("--classes") { Description = "output classes", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "random samples in the batch", DefaultValueFactory = _ => 2 };
        var positions = new Option<int>("--positions") { Description = "entries checked per tensor", DefaultValueFactory = _ => 20 };
        var tolerance = new Option<float>("--tolerance") { Description = "largest relative error that passes", DefaultValueFactory = _ => 5e-2f };
        var step = new Option<float>("--step") { Description = "finite-difference step h", DefaultValueFactory = _ => 1e-2f };
        var seed = CliOptions.Seed();
        var command = new Command("gradcheck", "compare backpropagation with finite differences") { model, input, classes, batch, positions, tolerance, step, seed };
        command.SetAction(r =>
        {
            var shape = CliOptions.Shape(r.GetValue(input)!, "--input");
            int k = CliOptions.Positive(r.GetValue(classes), "--classes");
            int n = CliOptions.Positive(r.GetValue(batch), "--batch");
            float tol = CliOptions.Positive(r.GetValue(tolerance), "--tolerance");
            var rng = new Rng(r.GetValue(seed));
            var net = ModelSpec.Build(r.GetValue(model)!, shape, k, r.GetValue(seed));
            var x = new Tensor([n, .. shape]);
            rng.Uniform(x.Span, 0f, 1f);
            var target = new Tensor(n, k);
            for (int i = 0; i < n; i++) target.Span[i * k + rng.NextInt(k)] = 1f;
            var results = GradientCheck.CheckNetwork(net, new SoftmaxCrossEntropy(), x, target, rng, CliOptions.Positive(r.GetValue(positions), "--positions"),
                CliOptions.Positive(r.GetValue(step), "--step"));
            return Report(results, tol);
        });
        return command;
    }

    private static int Report(List<GradientCheck.Result> results, float tolerance)
    {
        var table = new Table().AddColumns("layer", "tensor", "checked", "worst relative error", "analytic", "numeric", "");
        bool ok = true;
        foreach (var r in results)
        {
            bool pass = r.MaxRelativeError <= tolerance;
            ok &= pass;
            table.AddRow(Markup.Escape(r.Layer), Markup.Escape(r.Tensor), r.Checked.ToString(), r.MaxRelativeError.ToString("E2"),
                r.Analytic.ToString("G5"), r.Numeric.ToString("G5"), pass ? "[green]ok[/]" : "[red]FAIL[/]");
        }
        AnsiConsole.Write(table);
        Console.WriteLine(ok ? $"gradcheck passed (tolerance {tolerance:G3})" : $"gradcheck FAILED (tolerance {tolerance:G3})");
        return ok ? 0 : 1;
    }
}
