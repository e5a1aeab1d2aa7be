using Dendrite.Kernels;

namespace Dendrite.Inference;

/// <summary>
/// A convolution, the batch norm after it folded into its weights, and the activation after that as its epilogue,
/// by the algorithm <see cref="ConvolutionCosts"/> measured fastest for its shape.
/// </summary>
internal sealed class ConvolutionStep : PlanStep
{
    private readonly Conv2d _conv;
    private readonly BatchNorm? _norm;
    private readonly Activation? _activation;
    private readonly float[] _w = [], _b = [], _scale = [];
    private Tensor? _y;
    private readonly WeightSnapshot _seen = new(6);

    public ConvolutionStep(Conv2d conv, BatchNorm? norm, Activation? activation, ConvolutionAlgorithm algorithm)
    {
        (_conv, _norm, _activation, Algorithm) = (conv, norm, activation, algorithm);
        if (norm is null) return;
        _w = new float[conv.Weight.Length];
        _b = new float[conv.Filters];
        _scale = new float[conv.Filters];
    }

    public ConvolutionAlgorithm Algorithm { get; }

    public override string Describe() =>
        $"{_conv.Spec}{(_norm is null ? "" : "+" + _norm.Spec)}{Epilogue.Name(_activation)} [{Algorithm.ToString().ToLowerInvariant()}]";

    public override Tensor Run(Tensor x, Engine engine)
    {
        ReadOnlySpan<float> w = _conv.Weight.Value.Span, b = _conv.Bias is { } bias ? bias.Value.Span : [];
        // Compared with the weights of the last call (one read of them): batch norm is folded again, and the kernel
        // transforms its filters again, only when some weight changed, so the plan never goes stale.
        bool changed = _seen.Update(0, w) | _seen.Update(1, b);
        if (_norm is not null)
        {
            changed |= _seen.Update(2, _norm.Gamma.Value.Span) | _seen.Update(3, _norm.Beta.Value.Span)
                | _seen.Update(4, _norm.RunningMean.Span) | _seen.Update(5, _norm.RunningVar.Span);
            if (changed) BatchNormFolding.Fold(w, b, _norm, _w, _b, _scale);
            w = _w;
            b = _b;
        }
        var y = Tensor.Ensure(ref _y, x[0], _conv.OutputShape);
        bool relu = _activation is ReLU;
        _conv.Compute(engine, Algorithm, x, w, b, y, relu, filterKey: _seen.Key);
        Epilogue.Apply(_activation, y.Span, reluDone: relu);
        return y;
    }
}
