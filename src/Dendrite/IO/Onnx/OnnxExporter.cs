using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Dendrite.Onnx;
using static Dendrite.OnnxGraph;

namespace Dendrite;

/// <summary>
/// Writes a network as an ONNX model (IR 8, opset 17). The graph takes what the model itself takes, float32
/// [N, ...inputShape] (pixels in [0, 1] for images), applies the saved normalisation, runs the layers and
/// ends in class probabilities: a final softmax is added when the network does not end in one, as
/// <see cref="Evaluator.Predict"/> does. Each layer type is one case in <see cref="AddLayer"/>.
/// </summary>
public static class OnnxExporter
{
    public const int Opset = 17;
    private const int IrVersion = 8;

    public static byte[] Export(Sequential net, ModelMetadata metadata) => Build(net, metadata).ToByteArray();

    public static void Save(string path, Sequential net, ModelMetadata metadata)
    {
        var bytes = Export(net, metadata);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    internal static ModelProto Build(Sequential net, ModelMetadata metadata)
    {
        if (!net.IsBuilt) throw new InvalidOperationException("build the network before exporting it");
        var g = new OnnxGraph();
        g.Graph.Input.Add(Value("input", net.InputShape));
        string x = "input";
        var norm = metadata.Normalization;
        if (!norm.IsNone)
        {
            x = g.Add("Sub", [x, g.Scalar("normalize_mean", norm.Mean)]);
            x = g.Add("Div", [x, g.Scalar("normalize_std", norm.Std)]);
        }
        for (int i = 0; i < net.Layers.Count; i++) x = AddLayer(g, net.Layers[i], i, x);
        if (net.Layers[^1] is not Softmax) x = g.Add("Softmax", [x], Int("axis", 1));
        g.Graph.Node[^1].Output[0] = "probabilities";
        g.Graph.Output.Add(Value("probabilities", net.OutputShape));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "dendrite",
            ProducerVersion = ModelMetadata.CurrentVersion,
            DocString = $"{metadata.Spec} on {Tensor.Format(net.InputShape)}",
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        Property(model, "spec", metadata.Spec);
        Property(model, "normalize_mean", metadata.Normalization.Mean.ToString("R", CultureInfo.InvariantCulture));
        Property(model, "normalize_std", metadata.Normalization.Std.ToString("R", CultureInfo.InvariantCulture));
        if (metadata.ClassNames is not null) Property(model, "class_names", JsonSerializer.Serialize(metadata.ClassNames));
        return model;
    }

    /// <summary>Adds the nodes computing one layer on <paramref name="x"/>; returns the output's name.</summary>
    private static string AddLayer(OnnxGraph g, Layer layer, int index, string x) => layer switch
    {
        Flatten => g.Add("Flatten", [x], Int("axis", 1)),
        Dense d => d.Bias is { } b
            ? g.Add("Gemm", [x, Weight(g, index, d.Weight), Weight(g, index, b)], Int("transB", 1))
            : g.Add("Gemm", [x, Weight(g, index, d.Weight)], Int("transB", 1)),
        Softmax => g.Add("Softmax", [x], Int("axis", 1)),
        Linear => g.Add("Identity", [x]),
        ReLU => g.Add("Relu", [x]),
        LeakyReLU l => g.Add("LeakyRelu", [x], Float("alpha", l.Slope)),
        Elu e => g.Add("Elu", [x], Float("alpha", e.Alpha)),
        Sigmoid => g.Add("Sigmoid", [x]),
        Tanh => g.Add("Tanh", [x]),
        // Heaviside: 1 where x >= 0, else 0.
        Step => g.Add("Cast", [g.Add("GreaterOrEqual", [x, g.Scalar($"{index}.zero", 0f)])], Int("to", (int)TensorProto.Types.DataType.Float)),
        // exp(-x^2)
        Gaussian => g.Add("Exp", [g.Add("Neg", [g.Add("Mul", [x, x])])]),
        Rbf r => RadialBasis(g, r, index, x),
        Conv2d c => g.Add("Conv", c.Bias is { } cb ? [x, Weight(g, index, c.Weight), Weight(g, index, cb)] : [x, Weight(g, index, c.Weight)],
            Ints("kernel_shape", c.KernelH, c.KernelW), Ints("strides", c.Stride, c.Stride), Ints("dilations", c.Dilation, c.Dilation),
            Pads(c.Window)),
        MaxPool2d m => g.Add("MaxPool", [x], Ints("kernel_shape", m.Kernel, m.Kernel), Ints("strides", m.Stride, m.Stride), Pads(m.Window)),
        AvgPool2d a => g.Add("AveragePool", [x], Ints("kernel_shape", a.Kernel, a.Kernel), Ints("strides", a.Stride, a.Stride), Pads(a.Window),
            Int("count_include_pad", 0)),
        // Dendrite's global pool gives [N, C]; ONNX's keeps [N, C, 1, 1].
        GlobalAvgPool2d => g.Add("Flatten", [g.Add("GlobalAveragePool", [x])], Int("axis", 1)),
        BatchNorm b => g.Add("BatchNormalization", [x, Weight(g, index, b.Gamma), Weight(g, index, b.Beta),
            g.Constant($"{index}.running_mean", b.RunningMean.Shape, b.RunningMean.Span), g.Constant($"{index}.running_var", b.RunningVar.Shape, b.RunningVar.Span)],
            Float("epsilon", b.Epsilon)),
        // Inverted dropout is the identity at inference.
        Dropout => g.Add("Identity", [x]),
        _ => throw new NotSupportedException($"{layer.Label}: no ONNX mapping for {layer.GetType().Name} yet"),
    };

    /// <summary>u = max(0, ||x||^2 - 2 x C^T + ||c||^2) / s^2, then phi(u) as <see cref="Rbf"/> computes it.</summary>
    private static string RadialBasis(OnnxGraph g, Rbf r, int index, string x)
    {
        int k = r.Units, d = r.Inputs;
        var c = r.Centres.Value.Span;
        var norms = new float[k];
        var inverseSquares = new float[k];
        for (int j = 0; j < k; j++)
        {
            double sum = 0;
            for (int i = 0; i < d; i++) sum += (double)c[j * d + i] * c[j * d + i];
            norms[j] = (float)sum;
            inverseSquares[j] = MathF.Exp(-2f * r.LogWidth.Value.Span[j]);
        }
        var xx = g.Add("ReduceSumSquare", [x], Ints("axes", 1), Int("keepdims", 1));
        var xc = g.Add("Gemm", [x, Weight(g, index, r.Centres)], Int("transB", 1), Float("alpha", -2f));
        var d2 = g.Add("Relu", [g.Add("Add", [g.Add("Add", [xc, xx]), g.Constant($"{index}.centre_norms", [k], norms)])]);
        var u = g.Add("Mul", [d2, g.Constant($"{index}.inverse_width_squares", [k], inverseSquares)]);
        return r.Kernel switch
        {
            RadialKernel.Gaussian => g.Add("Exp", [g.Add("Neg", [u])]),
            RadialKernel.Multiquadric => g.Add("Sqrt", [g.Add("Add", [u, g.Scalar($"{index}.one", 1f)])]),
            _ => g.Add("Reciprocal", [g.Add("Sqrt", [g.Add("Add", [u, g.Scalar($"{index}.one", 1f)])])]),
        };
    }

    /// <summary>ONNX pads: begin of each axis, then end ('same' may pad one more at the end).</summary>
    private static AttributeProto Pads(Kernels.Window2d w) => Ints("pads", w.PadTop, w.PadLeft, w.PadH - w.PadTop, w.PadW - w.PadLeft);

    private static string Weight(OnnxGraph g, int index, Parameter p) => g.Constant($"{index}.{p.Name}", p.Value.Shape, p.Value.Span);

    private static void Property(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
}
