using Google.Protobuf;
using Dendrite.Onnx;
using static Dendrite.OnnxGraph;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.IO;

/// <summary>ONNX import: Dendrite's own exports come back with the same outputs; graphs as PyTorch writes them; hostile graphs.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class OnnxImportTests
{
    private static SavedModel Import(byte[] bytes) => OnnxImporter.Import(new MemoryStream(bytes), "m.onnx");

    private static float[] Inputs(int n, int[] shape, ulong seed) =>
        TestData.Random(new Rng(seed), 0f, 1f, [n, .. shape]).Span.ToArray();

    public static TheoryData<string, string> Exports() => new()
    {
        { "cnn", "1x12x12" },
        { "fashion", "1x16x16" },
        { "resnet", "3x12x12" },
        { "conv(4,3,stride=2,pad=1),elu(0.5),avgpool(2),conv(3,1),leakyrelu(0.2),flatten,dense(6),sigmoid,dense(5,bias=false),tanh,dense(3)", "2x9x9" },
        { "dense(8),relu,residual(dense(8),relu,dense(8)),residual(dense(4)),dense(3),softmax", "10" },
    };

    [Theory]
    [MemberData(nameof(Exports))]
    public void A_dendrite_export_imports_with_identical_outputs(string spec, string input)
    {
        var shape = input.Split('x').Select(int.Parse).ToArray();
        var net = ModelSpec.Build(spec, shape, 3, seed: 5);
        var rng = new Rng(6);
        foreach (var (_, b) in net.Buffers)
            for (int i = 0; i < b.Length; i++) b.Span[i] = 0.5f + rng.NextFloat();
        var meta = ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), ["a", "b", "c"], new Normalization(0.25f, 0.5f));

        var imported = Import(OnnxExporter.Export(net, meta));
        Assert.Equal(meta.Normalization, imported.Metadata.Normalization);
        Assert.Equal(meta.ClassNames, imported.Metadata.ClassNames);
        var x = Inputs(4, shape, 7);
        var expected = new SavedModel(net, meta, null!).Predict(x, 4);
        var actual = imported.Predict(x, 4);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i].Probabilities, actual[i].Probabilities);
    }

    // A graph as torch.onnx.export writes a small MLP and CNN: Constant shape for Reshape, Gemm with transB = 1, MatMul + Add.
    private static (ModelProto Model, Sequential Reference) TorchStyle()
    {
        var reference = ModelSpec.Build("conv(3,3,pad=1),relu,maxpool(2),flatten,dense(5),relu,dense(4)", [1, 6, 6], 4, seed: 2);
        var p = reference.NamedParameters.ToDictionary(t => t.Name, t => t.Parameter.Value);
        var g = new OnnxGraph();
        g.Graph.Input.Add(Value("input.1", [1, 6, 6]));
        var conv = g.Add("Conv", ["input.1", g.Constant("conv.weight", p["0.weight"].Shape, p["0.weight"].Span), g.Constant("conv.bias", [3], p["0.bias"].Span)],
            Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 1, 1), Int("group", 1));
        var pooled = g.Add("MaxPool", [g.Add("Relu", [conv])], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2));
        var shape = new TensorProto { DataType = 7, Dims = { 2 }, Int64Data = { -1, 27 } };
        var constant = new NodeProto { Name = "/Constant", OpType = "Constant", Output = { "shape" }, Attribute = { new AttributeProto { Name = "value", T = shape, Type = AttributeProto.Types.AttributeType.Tensor } } };
        g.Graph.Node.Add(constant);
        var flat = g.Add("Reshape", [pooled, "shape"]);
        var hidden = g.Add("Relu", [g.Add("Gemm", [flat, g.Constant("fc1.weight", p["4.weight"].Shape, p["4.weight"].Span), g.Constant("fc1.bias", [5], p["4.bias"].Span)],
            Int("transB", 1), Float("alpha", 1f), Float("beta", 1f))]);
        // The last layer as MatMul by W^T [5, 4] and Add of the bias, as exporters write a Linear on 3-d inputs.
        var w = p["6.weight"].Span;
        var wt = new float[20];
        for (int o = 0; o < 4; o++)
            for (int i = 0; i < 5; i++) wt[i * 4 + o] = w[o * 5 + i];
        var y = g.Add("Add", [g.Add("MatMul", [hidden, g.Constant("fc2.weight_t", [5, 4], wt)]), g.Constant("fc2.bias", [4], p["6.bias"].Span)]);
        g.Graph.Node[^1].Output[0] = "logits";
        g.Graph.Output.Add(Value("logits", [4]));
        return (new ModelProto { IrVersion = 8, Graph = g.Graph, OpsetImport = { new OperatorSetIdProto { Version = 17 } } }, reference);
    }

    [Fact]
    public void A_graph_shaped_as_pytorch_exports_it_imports_as_the_same_network()
    {
        var (model, reference) = TorchStyle();
        var imported = Import(model.ToByteArray());
        Assert.Equal(reference.Spec, imported.Metadata.Spec);
        var x = Inputs(3, [1, 6, 6], 8);
        Assert.Equal(Evaluator.Predict(reference, x, 3), imported.Predict(x, 3).SelectMany(p => p.Probabilities).ToArray());
    }

    [Fact]
    public void Hostile_and_unsupported_graphs_are_refused_naming_the_node()
    {
        var (model, _) = TorchStyle();
        var bad = model.Clone();
        bad.Graph.Node[0].OpType = "Resize";
        Assert.Matches("^m.onnx: node '[^']+' \\(Resize\\): Resize is not an operation Dendrite can import$",
            Assert.Throws<InvalidDataException>(() => Import(bad.ToByteArray())).Message);

        bad = model.Clone();
        bad.Graph.Initializer[0].Dims[0] = -3;
        Assert.Contains("initializer 'conv.weight' has dimension -3", Assert.Throws<InvalidDataException>(() => Import(bad.ToByteArray())).Message);

        bad = model.Clone();
        bad.Graph.Initializer[0].Dims[0] = 1L << 40;
        Assert.Contains("has dimension 1099511627776", Assert.Throws<InvalidDataException>(() => Import(bad.ToByteArray())).Message);
        bad.Graph.Initializer[0].Dims[0] = 100000;
        Assert.Contains("but holds 27", Assert.Throws<InvalidDataException>(() => Import(bad.ToByteArray())).Message);

        bad = model.Clone();
        bad.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue = -6;
        Assert.Contains("dimension 2 is not a positive size", Assert.Throws<InvalidDataException>(() => Import(bad.ToByteArray())).Message);
        bad.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue = 1L << 33;
        Assert.Contains("at most", Assert.Throws<InvalidDataException>(() => Import(bad.ToByteArray())).Message);

        // A cycle: the first Relu reads the last node's output.
        bad = model.Clone();
        var relu = bad.Graph.Node.First(n => n.OpType == "Relu");
        relu.Input[0] = bad.Graph.Node[^1].Output[0];
        Assert.Contains("the graph has a cycle through node", Assert.Throws<InvalidDataException>(() => Import(bad.ToByteArray())).Message);

        Assert.StartsWith("m.onnx: not an ONNX model", Assert.Throws<InvalidDataException>(() => Import([0xff, 0xff, 0xff, 0x0f, 1, 2])).Message);
    }

    [Fact]
    public void Import_command_writes_a_model_file_that_eval_reads()
    {
        using var dir = new TempDirectory();
        string data = SmallData.Folder(dir.File("data"), 64, 32, 5);
        string model = dir.File("m.safetensors"), onnx = dir.File("m.onnx"), back = dir.File("back.safetensors");
        var (code, _, err) = Run("train", "--data", data, "--model", "conv(4,3),relu,maxpool(2),flatten,dense(4),softmax", "--epochs", "1", "--normalize", "auto", "--out", model);
        Assert.True(code == 0, err);
        Assert.Equal(0, Run("export", "--model", model, "--out", onnx).Code);
        (code, var stdout, err) = Run("import", onnx, "--out", back);
        Assert.True(code == 0, err);
        Assert.StartsWith($"wrote {back}: conv(4,3),relu,maxpool(2),flatten,dense(4),softmax on [1, 8, 8]", stdout);
        Assert.Equal(Run("eval", "--model", model, "--data", data, "--json").Out, Run("eval", "--model", back, "--data", data, "--json").Out);
        Assert.Contains("not an ONNX model", AssertBadInput("import", model, "--out", dir.File("x.safetensors")));
        Assert.False(File.Exists(dir.File("x.safetensors")));
    }
}
