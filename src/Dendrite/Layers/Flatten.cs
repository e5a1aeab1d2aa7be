namespace Dendrite;

/// <summary>[N, C, H, W] -> [N, C*H*W]: the same values under a new shape, no copy.</summary>
public sealed class Flatten : Layer, ISpecLayer<Flatten>
{
    /// <summary><c>flatten</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("flatten", "flatten");

    /// <summary>Takes no arguments.</summary>
    public static Flatten FromSpec(LayerSpec s) => new();

    private Tensor? _y, _dx;

    /// <summary><c>flatten</c>.</summary>
    public override string Spec => "flatten";

    /// <summary>Any shape -> [volume].</summary>
    public override LayerShape Describe(int[] inputShape) => new([Tensor.Volume(inputShape)]);

    /// <summary>ONNX Flatten from axis 1.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Flatten", [x], OnnxAttribute.Int("axis", 1));

    /// <summary>
    /// [N, ...InputShape] -> [N, volume]: a view sharing <paramref name="x"/>'s values, so writing one changes the other.
    /// Throws <see cref="ShapeException"/> when x is not [N, ...InputShape].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        return Tensor.Alias(ref _y, x, x[0], OutputShape);
    }

    /// <summary>dL/dy viewed as [N, ...InputShape], sharing its values.</summary>
    public override Tensor Backward(Tensor dy) => Tensor.Alias(ref _dx, dy, dy[0], InputShape);
}
