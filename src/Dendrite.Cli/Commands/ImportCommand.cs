using System.CommandLine;

namespace Dendrite.Cli.Commands;

/// <summary>dendrite import: an ONNX model (the operations Dendrite runs) into a Dendrite model file.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var onnx = new Argument<string>("model") { Description = "the .onnx file to read" };
        var output = new Option<string>("--out", "-o") { Description = "the .safetensors model file to write", Required = true };
        var command = new Command("import", "import an ONNX model into a Dendrite model file") { onnx, output };
        command.SetAction(r =>
        {
            string path = r.GetValue(onnx)!, outPath = r.GetValue(output)!;
            var saved = OnnxImporter.Import(path);
            ModelFile.Save(outPath, saved.Net, saved.Metadata);
            var n = saved.Metadata.Normalization;
            Console.WriteLine($"wrote {outPath}: {saved.Metadata.Spec} on {Tensor.Format(saved.Net.InputShape)}, {saved.Net.ParameterCount:N0} parameters" +
                              (n.IsNone ? "" : $", inputs {n}"));
            return 0;
        });
        return command;
    }
}
