namespace Dendrite;

/// <summary>
/// What a layer's <see cref="Layer.ToOnnx"/> writes into: adds ONNX nodes and float constants to the graph being
/// exported. Constants are named by the layer's path, as in model files (<c>3.body.0.weight</c>), so a block calls
/// <see cref="Child"/> for each layer it holds.
/// </summary>
public sealed class OnnxBuilder
{
    private readonly OnnxGraph _graph;
    private string _scope = "";

    internal OnnxBuilder(OnnxGraph graph) => _graph = graph;

    /// <summary>The ONNX opset the graph targets (operators must exist in it).</summary>
    public int Opset => OnnxExporter.Opset;

    /// <summary>Adds a node <paramref name="op"/>(inputs) and returns the name of its output.</summary>
    public string Add(string op, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        _graph.Add(op, [.. inputs], [.. attributes.Select(a => a.Proto)]);

    /// <summary>Adds a float constant named <c>path.name</c> and returns its name.</summary>
    public string Constant(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values) => _graph.Constant(_scope + name, shape, values);

    /// <summary>A float scalar constant named <c>path.name</c>.</summary>
    public string Scalar(string name, float value) => Constant(name, [], [value]);

    /// <summary>A parameter's current value as a constant, named like the parameter in a model file.</summary>
    public string Weight(Parameter parameter) => Constant(parameter.Name, parameter.Value.Shape, parameter.Value.Span);

    /// <summary>A buffer (e.g. a running mean) as a constant, named like the buffer in a model file.</summary>
    public string Weight(string name, Tensor value) => Constant(name, value.Shape, value.Span);

    /// <summary>Lets <paramref name="child"/> add its nodes, with its tensors named under its <see cref="Layer.LocalName"/>.</summary>
    public string Child(Layer child, string input)
    {
        string outer = _scope;
        _scope = $"{outer}{child.LocalName}.";
        try
        {
            return child.ToOnnx(this, input);
        }
        finally
        {
            _scope = outer;
        }
    }
}
