using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Fully connected: y = x W^T + b, W in [out, in] (PyTorch's layout).
/// dL/dW += dy^T x; dL/db += sum over the batch of dy; dL/dx = dy W.
/// </summary>
public sealed class Dense(int units, Initializer init = Initializer.He, bool bias = true) : Layer, ISpecLayer<Dense>
{
    /// <summary><c>dense(units[,init=he|xavier][,bias=true|false])</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("dense", "dense(units[,init=he|xavier][,bias=true|false])", 3);

    /// <summary>Reads units, init and bias.</summary>
    public static Dense FromSpec(LayerSpec s) => new(s.Int(0, "units"), s.Choice(1, "init", Initializer.He), s.Bool(2, "bias", true));

    private Parameter? _weight, _bias;
    private Tensor? _x, _y, _dx;

    /// <summary>Output features K, positive (the constructor throws <see cref="ArgumentOutOfRangeException"/> otherwise).</summary>
    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), $"dense({units}): units must be positive");

    /// <summary>How <see cref="Weight"/> is drawn at build (fan-in = inputs, fan-out = units); default He. The bias starts at 0.</summary>
    public Initializer Init { get; } = init;

    /// <summary>Whether y adds a bias b; default true. Without one, <see cref="Bias"/> is null.</summary>
    public bool HasBias { get; } = bias;

    /// <summary>Input features D, fixed by <see cref="Layer.Build"/>. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public int Inputs => InputShape[0];

    /// <summary>W, [units, inputs]. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public Parameter Weight => _weight ?? throw new InvalidOperationException($"{Label}: not built");

    /// <summary>b, [units], exempt from weight decay; null before build and when <see cref="HasBias"/> is false.</summary>
    public Parameter? Bias => _bias;

    /// <summary><c>dense(units)</c>, adding <c>init</c> and <c>bias</c> only where they differ from the defaults.</summary>
    public override string Spec
    {
        get
        {
            var extra = (Init == Initializer.He ? "" : $",init={Init.ToString().ToLowerInvariant()}") + (HasBias ? "" : ",bias=false");
            return $"dense({Units}{extra})";
        }
    }

    /// <summary>inputs x units per sample (the bias add not counted). Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public override long MultiplyAdds => (long)Inputs * Units;

    /// <inheritdoc/>
    public override bool TakesVectors => true;

    /// <summary>[in] -> [units]; weight [units, in], bias [units].</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        if (inputShape.Length != 1) throw Error($"input {Batch(inputShape)} needs flatten first");
        NamedShape weight = new("weight", [Units, inputShape[0]]);
        return HasBias ? new LayerShape([Units], weight, new NamedShape("bias", [Units])) : new LayerShape([Units], weight);
    }

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        int inputs = inputShape[0];
        var w = new Tensor(Units, inputs);
        Initialization.Fill(Init, w.Span, fanIn: inputs, fanOut: Units, rng);
        _weight = new Parameter("weight", w);
        _bias = HasBias ? new Parameter("bias", new Tensor(Units)) { Decays = false } : null;
        Learns(_bias is null ? [_weight] : [_weight, _bias]);
    }

    /// <summary>ONNX Gemm with transB (W is [out, in]).</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) =>
        onnx.Add("Gemm", _bias is { } b ? [x, onnx.Weight(Weight), onnx.Weight(b)] : [x, onnx.Weight(Weight)], OnnxAttribute.Int("transB", 1));

    /// <summary>
    /// [N, D] -> [N, K]: y = x Wᵀ + b by one GEMM; <paramref name="training"/> is ignored. Keeps a reference to
    /// <paramref name="x"/> (not a copy) for <see cref="Backward"/>. Throws <see cref="ShapeException"/> when x is not [N, D].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _x = x;
        int n = x[0];
        var y = Tensor.Ensure(ref _y, n, OutputShape);
        Gemm.Multiply(Engine, false, true, n, Units, Inputs, 1f, x.Span, Inputs, Weight.Value.Span, Inputs, 0f, y.Span, Units);
        if (_bias is not null) Elementwise.AddRowVector(y.Span, _bias.Value.Span, n);
        return y;
    }

    /// <summary>
    /// Adds dyᵀ x to the weight's gradient and the column sums of dy to the bias's; returns dL/dx = dy W, [N, D],
    /// or <see cref="Tensor.Empty"/> when <see cref="Layer.NeedsInputGradient"/> is false. Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        var x = _x ?? throw new InvalidOperationException($"{Label}: backward before forward");
        int n = x[0];
        Gemm.Multiply(Engine, true, false, Units, Inputs, n, 1f, dy.Span, Units, x.Span, Inputs, 1f, Weight.Grad.Span, Inputs);
        if (_bias is not null) Elementwise.SumRowsInto(dy.Span, n, _bias.Grad.Span);
        if (!NeedsInputGradient) return Tensor.Empty;
        var dx = Tensor.Ensure(ref _dx, n, InputShape);
        Gemm.Multiply(Engine, false, false, n, Inputs, Units, 1f, dy.Span, Units, Weight.Value.Span, Inputs, 0f, dx.Span, Inputs);
        return dx;
    }
}
