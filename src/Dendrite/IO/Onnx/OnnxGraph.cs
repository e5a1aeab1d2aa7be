using System.Runtime.InteropServices;
using Google.Protobuf;
using Dendrite.Onnx;

namespace Dendrite;

/// <summary>Builds an ONNX graph node by node: each call adds a node and returns the name of its output.</summary>
internal sealed class OnnxGraph
{
    private int _next;

    public GraphProto Graph { get; } = new() { Name = "dendrite" };

    /// <summary>Adds a node <paramref name="op"/>(inputs) and returns its output's name.</summary>
    public string Add(string op, string[] inputs, params AttributeProto[] attributes)
    {
        string output = $"{op.ToLowerInvariant()}_{_next++}";
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds a float32 constant (an initializer) and returns its name.</summary>
    public string Constant(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        foreach (int d in shape) tensor.Dims.Add(d);
        var bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < bytes.Length; i += 4) bytes.AsSpan(i, 4).Reverse();
        tensor.RawData = ByteString.CopyFrom(bytes);
        Graph.Initializer.Add(tensor);
        return name;
    }

    public string Scalar(string name, float value) => Constant(name, [], [value]);

    /// <summary>A float32 tensor [N, ...shape] with a symbolic batch dimension.</summary>
    public static ValueInfoProto Value(string name, ReadOnlySpan<int> shape)
    {
        var dims = new TensorShapeProto();
        dims.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (int d in shape) dims.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = dims } },
        };
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
