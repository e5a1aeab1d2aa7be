using Dendrite.Kernels;

namespace Dendrite.Inference;

/// <summary>y = act(x Wᵀ + b): one GEMM, then the bias and the activation in one pass per row; batch norm after it folded in.</summary>
internal sealed class DenseStep : PlanStep
{
    private readonly Dense _dense;
    private readonly BatchNorm? _norm;
    private readonly Activation? _activation;
    private readonly float[] _w = [], _b = [], _scale = [];
    private Tensor? _y;

    public DenseStep(Dense dense, BatchNorm? norm, Activation? activation)
    {
        (_dense, _norm, _activation) = (dense, norm, activation);
        if (norm is null) return;
        _w = new float[dense.Weight.Length];
        _b = new float[dense.Units];
        _scale = new float[dense.Units];
    }

    public override string Describe() => $"{_dense.Spec}{(_norm is null ? "" : "+" + _norm.Spec)}{Epilogue.Name(_activation)}";

    public override Tensor Run(Tensor x, Engine engine)
    {
        ReadOnlySpan<float> w = _dense.Weight.Value.Span, b = _dense.Bias is { } bias ? bias.Value.Span : [];
        if (_norm is not null)
        {
            BatchNormFolding.Fold(w, b, _norm, _w, _b, _scale);
            w = _w;
            b = _b;
        }
        int n = x[0], inputs = _dense.Inputs, units = _dense.Units;
        var y = Tensor.Ensure(ref _y, n, _dense.OutputShape);
        Gemm.Multiply(engine, false, true, n, units, inputs, 1f, x.Span, inputs, w, inputs, 0f, y.Span, units);
        for (int r = 0; r < n; r++)
        {
            var row = y.Span.Slice(r * units, units);
            if (!b.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(row, b, row);
            Epilogue.Apply(_activation, row);
        }
        return y;
    }
}
