using System.CommandLine;
using Dendrite.Visualization;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite plot activations: every elementwise activation with its derivative, one panel each.</summary>
public static class PlotActivationsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "PNG file to write", Required = true };
        var command = new Command("activations", "every elementwise activation with its derivative, one panel each") { output };
        command.SetAction(r =>
        {
            var all = Activation.All();
            using var image = ActivationPlot.Render(all);
            var path = r.GetValue(output)!;
            Png.Save(image, path);
            Console.WriteLine($"{path}: {string.Join(", ", all.Select(a => a.Spec))}");
            Console.WriteLine("softmax is not drawn: each output depends on every input, so it has no curve y = f(x)");
            return 0;
        });
        return command;
    }
}
