using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Global average pooling: [N, C, H, W] -> [N, C], y[n, c] = mean of the map x[n, c]; dL/dx = dL/dy / (H*W) everywhere.
/// Its output is a vector, so a dense layer can follow without flatten.
/// </summary>
public sealed class GlobalAvgPool2d : Layer, ISpecLayer<GlobalAvgPool2d>
{
    /// <summary><c>gap</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("gap", "gap");

    /// <summary>Takes no arguments.</summary>
    public static GlobalAvgPool2d FromSpec(LayerSpec s) => new();

    private Tensor? _y, _dx;
    private int _n = -1;

    /// <summary><c>gap</c>.</summary>
    public override string Spec => "gap";

    /// <summary>[C, H, W] -> [C].</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        if (inputShape.Length != 3) throw Error($"input {Batch(inputShape)} is not an image [N, C, H, W]");
        return new([inputShape[0]]);
    }

    /// <summary>ONNX GlobalAveragePool keeps [N, C, 1, 1]; Flatten gives Dendrite's [N, C].</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) =>
        onnx.Add("Flatten", [onnx.Add("GlobalAveragePool", [x])], OnnxAttribute.Int("axis", 1));

    /// <summary>[N, C, H, W] -> [N, C]; <paramref name="training"/> is ignored. Throws <see cref="ShapeException"/> when x is not [N, ...InputShape].</summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _n = x[0];
        var y = Tensor.Ensure(ref _y, _n, OutputShape);
        Pooling.GlobalAverageForward(x.Span, _n * InputShape[0], InputShape[1] * InputShape[2], y.Span);
        return y;
    }

    /// <summary>dL/dx [N, C, H, W]: dL/dy[n, c] / (H W) at every pixel of map (n, c). Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.</summary>
    public override Tensor Backward(Tensor dy)
    {
        if (_n < 0) throw new InvalidOperationException($"{Label}: backward before forward");
        var dx = Tensor.Ensure(ref _dx, _n, InputShape);
        Pooling.GlobalAverageBackward(dy.Span, _n * InputShape[0], InputShape[1] * InputShape[2], dx.Span);
        return dx;
    }
}
