using Microsoft.ML.OnnxRuntime;

namespace Dendrite.Tests.IO;

/// <summary>Exported graphs run in ONNX Runtime and agree with Dendrite's own forward pass.</summary>
public class OnnxExportTests
{
    /// <summary>Runs the exported model on [n, ...input] and returns its output.</summary>
    internal static float[] RunOnnx(byte[] model, float[] x, int[] inputShape, int n)
    {
        using var session = new InferenceSession(model);
        Assert.Equal(["input"], session.InputNames);
        Assert.Equal(["probabilities"], session.OutputNames);
        long[] shape = [n, .. inputShape.Select(d => (long)d)];
        using var input = OrtValue.CreateTensorValueFromMemory(x, shape);
        using var options = new RunOptions();
        using var outputs = session.Run(options, ["input"], [input], session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Exports, runs both on random inputs in [0, 1] and returns the largest difference.</summary>
    internal static float MaxDifference(Sequential net, Normalization normalization, int n = 7, ulong seed = 1)
    {
        var meta = ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), normalization: normalization);
        var x = TestData.Random(new Rng(seed), 0f, 1f, [n, .. net.InputShape]).Span.ToArray();
        var onnx = RunOnnx(OnnxExporter.Export(net, meta), x, net.InputShape, n);

        var normalised = (float[])x.Clone();
        normalization.Apply(normalised);
        var expected = Evaluator.Predict(net, normalised, n);
        Assert.Equal(expected.Length, onnx.Length);
        return expected.Zip(onnx, (a, b) => MathF.Abs(a - b)).Max();
    }

    public static TheoryData<string> Presets() => [.. ModelSpec.Presets.Keys];

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_preset_matches_onnx_runtime(string preset)
    {
        var net = ModelSpec.Build(preset, [1, 28, 28], 10, seed: 4);
        Assert.True(MaxDifference(net, Normalization.None) <= 1e-4f);
        Assert.True(MaxDifference(net, new Normalization(0.2860f, 0.3530f), seed: 2) <= 1e-4f);
    }

    /// <summary>Every layer the grammar has, between two dense layers (the first behind an automatic flatten).</summary>
    [Theory]
    [InlineData("linear")]
    [InlineData("identity")]
    [InlineData("step")]
    [InlineData("step(ste)")]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("relu")]
    [InlineData("leakyrelu")]
    [InlineData("leakyrelu(0.3)")]
    [InlineData("elu")]
    [InlineData("elu(0.5)")]
    [InlineData("gaussian")]
    [InlineData("softmax")]
    [InlineData("rbf(5)")]
    [InlineData("rbf(5,kernel=multiquadric)")]
    [InlineData("rbf(5,kernel=inverse,scale=2)")]
    public void Every_layer_type_matches_onnx_runtime(string layer)
    {
        var net = SmallData.Net($"dense(12,init=xavier),{layer},dense(4)", seed: 6);
        Assert.True(MaxDifference(net, new Normalization(0.5f, 0.25f)) <= 1e-4f);
    }

    /// <summary>Every convolutional layer form, on the small images, including lopsided 'same' padding and trained batch norm statistics.</summary>
    [Theory]
    [InlineData("conv(3,3),relu,flatten,dense(4)")]
    [InlineData("conv(3,3,stride=2,pad=1,bias=false),flatten,dense(4)")]
    [InlineData("conv(3,kernel=3x2,pad=same),flatten,dense(4)")]
    [InlineData("conv(3,4,stride=2,pad=same),flatten,dense(4)")]
    [InlineData("conv(2,3,dilation=2,pad=2),flatten,dense(4)")]
    [InlineData("conv(3,3,pad=1),maxpool(2),flatten,dense(4)")]
    [InlineData("conv(3,3,pad=1),maxpool(3,stride=2,pad=1),flatten,dense(4)")]
    [InlineData("conv(3,3,pad=1),avgpool(2),flatten,dense(4)")]
    [InlineData("conv(3,3,pad=1),avgpool(3,stride=2,pad=1),flatten,dense(4)")]
    [InlineData("conv(5,3),gap,dense(4)")]
    [InlineData("conv(3,3),batchnorm,relu,flatten,dense(6),batchnorm,dense(4)")]
    [InlineData("conv(3,3),dropout(0.5),flatten,dense(4)")]
    public void Every_convolutional_layer_matches_onnx_runtime(string spec)
    {
        var net = SmallData.Net(spec, seed: 9);
        // Train-mode batches move the running statistics away from 0 and 1, so eval-mode batch norm is really exercised.
        var x = TestData.Random(new Rng(4), 0f, 1f, [16, .. net.InputShape]);
        for (int i = 0; i < 5; i++) net.Forward(x, training: true);
        Assert.True(MaxDifference(net, new Normalization(0.5f, 0.25f)) <= 1e-4f);
    }

    [Fact]
    public void Explicit_flatten_dense_without_bias_and_a_final_softmax_match()
    {
        var net = SmallData.Net("flatten,dense(9,bias=false),tanh,dense(4,bias=false),softmax");
        Assert.True(MaxDifference(net, Normalization.None) <= 1e-4f);
    }

    [Fact]
    public void Feature_vector_models_take_the_vector()
    {
        var net = ModelSpec.Build("dense(6),sigmoid,dense(3)", [5], 3, seed: 8);
        Assert.True(MaxDifference(net, new Normalization(1f, 2f)) <= 1e-4f);
    }

    [Fact]
    public void The_graph_declares_opset_17_and_carries_the_spec()
    {
        var net = SmallData.Net();
        var meta = ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), ["a", "b", "c", "d"]);
        var model = OnnxExporter.Build(net, meta);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        Assert.Equal(["Flatten", "Gemm", "Relu", "Gemm", "Softmax"], model.Graph.Node.Select(n => n.OpType));
        Assert.Equal(1, model.Graph.Node[1].Attribute.Single(a => a.Name == "transB").I);
        Assert.Equal(net.Spec, model.MetadataProps.Single(p => p.Key == "spec").Value);
        using var session = new InferenceSession(OnnxExporter.Export(net, meta));
        Assert.Equal("[\"a\",\"b\",\"c\",\"d\"]", session.ModelMetadata.CustomMetadataMap["class_names"]);
    }
}
