using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Max pooling: y = max of each window; dL/dx = dL/dy at the input that was the max, 0 elsewhere.
/// Forward remembers the argmax indices, so backward is one scatter.
/// </summary>
public sealed class MaxPool2d(int kernel, int stride = 0, int padding = 0) : Pool2d("maxpool", kernel, stride, padding)
{
    private Tensor? _y, _dx;
    private int[] _argmax = [];
    private int _n = -1;

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _n = x[0];
        var y = Tensor.Ensure(ref _y, _n, OutputShape);
        if (_argmax.Length < y.Length) _argmax = new int[y.Length];
        Pooling.MaxForward(x.Span, Planes(_n), Window, y.Span, _argmax);
        return y;
    }

    public override Tensor Backward(Tensor dy)
    {
        if (_n < 0) throw new InvalidOperationException($"{Label}: backward before forward");
        var dx = Tensor.Ensure(ref _dx, _n, InputShape);
        Pooling.MaxBackward(dy.Span, _argmax.AsSpan(0, dy.Length), dx.Span);
        return dx;
    }
}
