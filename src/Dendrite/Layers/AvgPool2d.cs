using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Average pooling: y = mean of each window; dL/dx = dL/dy / (pixels in the window) for each input under it.
/// Padding is not counted in the mean (PyTorch's count_include_pad=false), so a border output is the true
/// mean of the pixels it sees rather than one diluted by zeros.
/// </summary>
public sealed class AvgPool2d(int kernel, int stride = 0, int padding = 0) : Pool2d("avgpool", kernel, stride, padding), ISpecLayer<AvgPool2d>
{
    /// <summary><c>avgpool(kernel[,stride=kernel][,pad=0])</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("avgpool", "avgpool(kernel[,stride=kernel][,pad=0])", 3);

    /// <summary>Reads kernel, stride and pad.</summary>
    public static AvgPool2d FromSpec(LayerSpec s)
    {
        var (k, stride, pad) = Arguments(s);
        return new AvgPool2d(k, stride, pad);
    }

    /// <summary>ONNX AveragePool without counting padding.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) =>
        onnx.Add("AveragePool", [x], [.. OnnxWindow(), OnnxAttribute.Int("count_include_pad", 0)]);

    private Tensor? _y, _dx;
    private int _n = -1;

    /// <summary>
    /// [N, C, H, W] -> [N, C, OH, OW]; <paramref name="training"/> is ignored. Throws <see cref="ShapeException"/> when x is
    /// not [N, ...InputShape].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _n = x[0];
        var y = Tensor.Ensure(ref _y, _n, OutputShape);
        Pooling.AverageForward(x.Span, Planes(_n), Window, y.Span);
        return y;
    }

    /// <summary>dL/dx [N, C, H, W]: each dL/dy shared equally among the input pixels of its window. Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.</summary>
    public override Tensor Backward(Tensor dy)
    {
        if (_n < 0) throw new InvalidOperationException($"{Label}: backward before forward");
        var dx = Tensor.Ensure(ref _dx, _n, InputShape);
        Pooling.AverageBackward(dy.Span, Planes(_n), Window, dx.Span);
        return dx;
    }
}
