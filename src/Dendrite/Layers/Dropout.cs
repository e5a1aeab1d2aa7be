using System.Globalization;
using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>
/// Inverted dropout: in training y = x * m / (1 - p) with m ~ Bernoulli(1 - p) per element, dL/dx = dL/dy * m / (1 - p);
/// at evaluation y = x. Scaling during training keeps the expected activation unchanged, so evaluation needs no rescale.
/// The mask comes from the layer's own generator, seeded from the network's at build time.
/// </summary>
public sealed class Dropout : Layer, IStochastic, ISpecLayer<Dropout>
{
    /// <summary><c>dropout(p)</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("dropout", "dropout(p)", 1);

    /// <summary>Reads p, the probability of dropping a value, in [0, 1).</summary>
    public static Dropout FromSpec(LayerSpec s)
    {
        float p = s.Float(0, "p", float.NaN);
        if (!(p >= 0 && p < 1)) throw s.Fail(float.IsNaN(p) ? "needs p, the probability of dropping a value" : $"p must be in [0, 1), got {p}");
        return new Dropout(p);
    }

    private Rng _rng = new(0);
    private Tensor? _y, _dx;
    private float[] _mask = [];
    private int _maskLength = -1;
    private bool _masked;

    /// <summary>Dropout that drops each element with probability <paramref name="p"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public Dropout(double p)
    {
        P = p >= 0 && p < 1 ? (float)p : throw new ArgumentOutOfRangeException(nameof(p), $"dropout({p}): p must be in [0, 1)");
    }

    /// <summary>Probability that an element is dropped.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public bool Frozen { get; set; }

    /// <summary><c>dropout(p)</c>.</summary>
    public override string Spec => $"dropout({P.ToString(CultureInfo.InvariantCulture)})";

    /// <summary>Any shape, unchanged.</summary>
    public override LayerShape Describe(int[] inputShape) => new((int[])inputShape.Clone());

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng) => _rng = new Rng(rng.NextUInt64());

    /// <summary>Inverted dropout is the identity at inference.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Identity", [x]);

    /// <summary>
    /// In training with p > 0, multiplies x by a mask of 0 and 1 / (1 - p), drawn anew each call unless <see cref="Frozen"/>;
    /// otherwise copies x. Throws <see cref="ShapeException"/> when x is not [N, ...InputShape].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        _masked = training && P > 0;
        if (!_masked)
        {
            x.Span.CopyTo(y.Span);
            return y;
        }
        int length = x.Length;
        if (!Frozen || _maskLength != length) DrawMask(length);
        TensorPrimitives.Multiply(x.Span, _mask.AsSpan(0, length), y.Span);
        return y;
    }

    /// <summary>
    /// dL/dy times the last training forward's mask, or a copy of dL/dy when the last forward did not drop (evaluation,
    /// p = 0, or no forward yet: nothing is checked). dL/dx is computed even when <see cref="Layer.NeedsInputGradient"/> is false.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        var dx = Tensor.Ensure(ref _dx, dy[0], InputShape);
        if (_masked) TensorPrimitives.Multiply(dy.Span, _mask.AsSpan(0, dy.Length), dx.Span);
        else dy.Span.CopyTo(dx.Span);
        return dx;
    }

    private void DrawMask(int length)
    {
        if (_mask.Length < length) _mask = new float[length];
        float keep = 1f / (1f - P);
        for (int i = 0; i < length; i++) _mask[i] = _rng.NextFloat() < P ? 0f : keep;
        _maskLength = length;
    }
}
