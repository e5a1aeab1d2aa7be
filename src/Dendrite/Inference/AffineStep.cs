using System.Numerics.Tensors;

namespace Dendrite.Inference;

/// <summary>A batch norm with no layer before it to fold into: y = act(s x + t) per channel in one pass.</summary>
internal sealed class AffineStep : PlanStep
{
    private readonly BatchNorm _norm;
    private readonly Activation? _activation;
    private readonly float[] _scale, _shift;
    private Tensor? _y;

    public AffineStep(BatchNorm norm, Activation? activation)
    {
        (_norm, _activation) = (norm, activation);
        _scale = new float[norm.Channels];
        _shift = new float[norm.Channels];
    }

    public override string Describe() => $"{_norm.Spec}{Epilogue.Name(_activation)}";

    public override Tensor Run(Tensor x, Engine engine)
    {
        BatchNormFolding.Affine(_norm, _scale, _shift);
        int n = x[0], c = _scale.Length, spatial = x.Length / Math.Max(1, n * c);
        var y = Tensor.Ensure(ref _y, n, _norm.OutputShape);
        var xs = x.Span;
        var ys = y.Span;
        for (int i = 0; i < n; i++)
        {
            if (spatial == 1)
            {
                var row = ys.Slice(i * c, c);
                TensorPrimitives.MultiplyAdd(xs.Slice(i * c, c), _scale, _shift, row);
                Epilogue.Apply(_activation, row);
                continue;
            }
            for (int ch = 0; ch < c; ch++)
            {
                int at = (i * c + ch) * spatial;
                var plane = ys.Slice(at, spatial);
                TensorPrimitives.Multiply(xs.Slice(at, spatial), _scale[ch], plane);
                TensorPrimitives.Add(plane, _shift[ch], plane);
                Epilogue.Apply(_activation, plane);
            }
        }
        return y;
    }
}
