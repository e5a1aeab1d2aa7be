using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Softmax over each sample's features: y_i = e^(x_i - max x) / sum_j e^(x_j - max x);
/// dL/dx_i = y_i (dL/dy_i - sum_j dL/dy_j y_j). Subtracting the max keeps exp from overflowing.
/// Followed by <see cref="SoftmaxCrossEntropy"/>, training fuses the two and skips this backward.
/// </summary>
public sealed class Softmax : Layer, ISpecLayer<Softmax>
{
    /// <summary><c>softmax</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("softmax", "softmax");

    /// <summary>Takes no arguments.</summary>
    public static Softmax FromSpec(LayerSpec s) => new();

    private Tensor? _y, _dx;

    /// <summary><c>softmax</c>.</summary>
    public override string Spec => "softmax";

    /// <summary>[K] -> [K].</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        if (inputShape.Length != 1) throw Error($"input {Batch(inputShape)} needs flatten first");
        return new((int[])inputShape.Clone());
    }

    /// <summary>ONNX Softmax over axis 1.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Softmax", [x], OnnxAttribute.Int("axis", 1));

    /// <summary>
    /// Softmax of each row of [N, K] into a buffer the next call reuses; <paramref name="training"/> is ignored.
    /// The output is kept for <see cref="Backward"/>. Throws <see cref="ShapeException"/> when x is not [N, K].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        Elementwise.SoftmaxRows(x.Span, y.Span, x[0]);
        return y;
    }

    /// <summary>
    /// dL/dx_i = y_i (dL/dy_i - sum_j dL/dy_j y_j) per row, from the last forward's output; always computed.
    /// Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        var y = _y ?? throw new InvalidOperationException($"{Label}: backward before forward");
        int n = y[0], k = y[1];
        var dx = Tensor.Ensure(ref _dx, n, InputShape);
        for (int r = 0; r < n; r++)
        {
            var yr = y.Span.Slice(r * k, k);
            var dyr = dy.Span.Slice(r * k, k);
            float dot = System.Numerics.Tensors.TensorPrimitives.Dot(yr, dyr);
            var dxr = dx.Span.Slice(r * k, k);
            System.Numerics.Tensors.TensorPrimitives.Subtract(dyr, dot, dxr);
            System.Numerics.Tensors.TensorPrimitives.Multiply(dxr, yr, dxr);
        }
        return dx;
    }
}
