using Dendrite.Onnx;

namespace Dendrite;

/// <summary>An attribute of an ONNX node (<c>axis=1</c>, <c>kernel_shape=[3,3]</c>), made with <see cref="Int"/>, <see cref="Float"/>, <see cref="String"/> or <see cref="Ints"/>.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(AttributeProto proto) => Proto = proto;

    internal AttributeProto Proto { get; }

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(OnnxGraph.Int(name, value));

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(OnnxGraph.Float(name, value));

    /// <summary>A string attribute (an Einsum's equation).</summary>
    public static OnnxAttribute String(string name, string value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) });

    /// <summary>A list-of-integers attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(OnnxGraph.Ints(name, values));
}
