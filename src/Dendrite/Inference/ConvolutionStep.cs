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
        if (_norm is not null)
        {
            // Folded on every call from the live weights (one pass over them), so the plan never goes stale.
            BatchNormFolding.Fold(w, b, _norm, _w, _b, _scale);
            w = _w;
            b = _b;
        }
        var y = Tensor.Ensure(ref _y, x[0], _conv.OutputShape);
        bool relu = _activation is ReLU;
        _conv.Compute(engine, Algorithm, x, w, b, y, relu);
        Epilogue.Apply(_activation, y.Span, reluDone: relu);
        return y;
    }
}
