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
/// <see cref="Evaluator.Predict(Sequential, ReadOnlySpan{float}, int)"/> does. Each layer maps itself (<see cref="Layer.ToOnnx"/>); a layer without a
/// mapping stops the export with <see cref="NotSupportedException"/> naming it.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the exported graph uses.</summary>
    public const int Opset = 17;
    private const int IrVersion = 8;

    /// <summary>The serialised ONNX model of <paramref name="net"/>.</summary>
    /// <exception cref="InvalidOperationException">The network is not built.</exception>
    /// <exception cref="NotSupportedException">A layer has no ONNX mapping; the message names it.</exception>
    public static byte[] Export(Sequential net, ModelMetadata metadata) => Build(net, metadata).ToByteArray();

    /// <summary>Writes <see cref="Export"/>'s bytes to <paramref name="path"/> atomically (temporary file, flush to disk, rename).</summary>
    /// <exception cref="InvalidOperationException">The network is not built.</exception>
    /// <exception cref="NotSupportedException">A layer has no ONNX mapping; the message names it.</exception>
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
            // A scalar, or [1, C, 1, 1] per channel, broadcast over the batch and the image.
            int[] shape = norm.Channels == 1 ? [] : [1, norm.Channels, 1, 1];
            x = g.Add("Sub", [x, g.Constant("normalize_mean", shape, [.. norm.Means])]);
            x = g.Add("Div", [x, g.Constant("normalize_std", shape, [.. norm.Stds])]);
        }
        x = net.ToOnnx(new OnnxBuilder(g), x);
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
        Property(model, "normalize_mean", metadata.Normalization.FormatMeans());
        Property(model, "normalize_std", metadata.Normalization.FormatStds());
        if (metadata.ClassNames is not null) Property(model, "class_names", JsonSerializer.Serialize(metadata.ClassNames));
        return model;
    }

    private static void Property(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
}
