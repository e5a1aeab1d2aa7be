using System.CommandLine;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite export: write a saved model as ONNX (opset 17), normalisation and softmax included.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = CliOptions.ModelFile();
        var output = new Option<string>("--out", "-o") { Description = "the .onnx file to write", Required = true };
        var spec = CliOptions.Spec();
        var input = CliOptions.Input();
        input.Description = "with --spec: the per-sample input shape, e.g. 3x32x32";
        var command = new Command("export", "export a saved model to ONNX") { model, output, spec, input };
        command.SetAction(r =>
        {
            var saved = CliOptions.LoadModel(r.GetValue(model)!, r.GetValue(spec), () => CliOptions.Shape(r.GetValue(input)!, "--input"));
            string path = r.GetValue(output)!;
            try
            {
                OnnxExporter.Save(path, saved.Net, saved.Metadata);
            }
            catch (NotSupportedException e)
            {
                throw new UsageException($"--model: {e.Message}");
            }
            Console.WriteLine($"wrote {path}: {saved.Metadata.Spec} on {Tensor.Format(saved.Net.InputShape)}, ONNX opset {OnnxExporter.Opset}");
            return 0;
        });
        return command;
    }
}
