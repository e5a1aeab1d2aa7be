using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>
/// A residual block (He et al. 2016): y = f(x) + s(x), where f is the body and s the shortcut. The shortcut is x
/// itself when f keeps the shape; otherwise it projects x, as ResNet does: a 1x1 convolution with the stride that
/// gives f's output size (followed by batch norm when the body has batch norm) for images, a dense layer for vectors.
/// dL/dx = dL/dy through f plus dL/dy through s, so the gradient reaches early layers even where f's vanishes.
/// </summary>
public sealed class Residual : Layer, ISpecLayer<Residual>
{
    private readonly Sequential _body;
    private Sequential? _projection;
    private Tensor? _y, _dx;

    /// <summary><c>residual(layer,...)</c>: the body's layers, in order.</summary>
    public static LayerSyntax Syntax { get; } = new("residual", "residual(layer,...)", int.MaxValue);

    /// <summary>Reads the body's layers; an empty block is refused.</summary>
    public static Residual FromSpec(LayerSpec s)
    {
        var layers = s.Layers();
        if (layers.Count == 0) throw s.Fail("an empty block: give at least one layer");
        return new Residual(layers);
    }

    /// <summary>A residual block around the given body layers.</summary>
    public Residual(params IEnumerable<Layer> body)
    {
        _body = new Sequential(body);
        Adopt(_body, "body", 1);
    }

    /// <summary>f: the layers the shortcut goes around.</summary>
    public Sequential Body => _body;

    /// <summary>s when it is not the identity (built blocks whose body changes the shape), else null.</summary>
    public Sequential? Projection => _projection;

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> Children => _projection is null ? [_body] : [_body, _projection];

    /// <summary><c>residual(...)</c> with the body's layers; the projection follows from the shapes.</summary>
    public override string Spec => $"residual({string.Join(",", _body.Layers.Select(l => l.Spec))})";

    /// <inheritdoc/>
    public override long MultiplyAdds => _body.MultiplyAdds + (_projection?.MultiplyAdds ?? 0);

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Parameter Parameter)> NamedParameters => ChildParameters();

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, Tensor Value)> Buffers => [.. ChildBuffers()];

    /// <summary>The body's output shape; its tensors under <c>body.</c>, a projection's under <c>projection.</c>.</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        var body = _body.Describe(inputShape);
        var tensors = body.Tensors.Select(t => t.Under("body")).ToList();
        if (!body.Output.SequenceEqual(inputShape))
            tensors.AddRange(ProjectionFor(inputShape, body.Output).Describe(inputShape).Tensors.Select(t => t.Under("projection")));
        return new(body.Output, tensors);
    }

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        _body.Build(inputShape, rng);
        if (!_body.OutputShape.SequenceEqual(inputShape))
        {
            var projection = ProjectionFor(inputShape, _body.OutputShape);
            Adopt(projection, "projection", 2);
            projection.Engine = Engine;
            projection.Build(inputShape, rng);
            _projection = projection;
        }
        Learns([.. Children.SelectMany(c => c.Parameters)]);
        NeedsInputGradient = NeedsInputGradient;
    }

    // The shortcut that maps input to output: conv 1x1 with one stride (+ batch norm if the body has it), or dense.
    private Sequential ProjectionFor(int[] input, int[] output)
    {
        string from = Tensor.Format(input), to = Tensor.Format(output);
        if (input.Length == 1 && output.Length == 1) return new Sequential(new Dense(output[0]));
        if (input.Length != 3 || output.Length != 3)
            throw Error($"the body maps {from} to {to}; a shortcut can only project an image to an image or a vector to a vector");
        int stride = Enumerable.Range(1, Math.Max(input[1], input[2])).FirstOrDefault(s =>
            (input[1] - 1) / s + 1 == output[1] && (input[2] - 1) / s + 1 == output[2]);
        if (stride == 0)
            throw Error($"the body maps {from} to {to}; no 1x1 convolution with one stride projects the input to that size");
        bool norm = _body.Layers.Any(l => l is BatchNorm);
        var conv = new Conv2d(output[0], 1, 1, stride, bias: !norm);
        return norm ? new Sequential(conv, new BatchNorm()) : new Sequential(conv);
    }

    /// <summary>Passed to the body and the projection.</summary>
    public override bool NeedsInputGradient
    {
        get => base.NeedsInputGradient;
        set
        {
            base.NeedsInputGradient = value;
            _body.NeedsInputGradient = value;
            if (_projection is not null) _projection.NeedsInputGradient = value;
        }
    }

    /// <summary>The body and the projection both see x.</summary>
    internal override IReadOnlyList<(Layer Child, Tensor Input)> ChildInputs(Tensor x) => [.. Children.Select(c => (c, x.Clone()))];

    /// <summary>y = f(x) + s(x).</summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var f = _body.Forward(x, training);
        return Sum(f, _projection?.Forward(x, training) ?? x);
    }

    /// <summary>y = f(x) + s(x) with each part's inference forward.</summary>
    public override Tensor Predict(Tensor x)
    {
        CheckInput(x);
        var f = _body.Predict(x);
        return Sum(f, _projection?.Predict(x) ?? x);
    }

    private Tensor Sum(Tensor f, Tensor s)
    {
        var y = Tensor.Ensure(ref _y, f[0], OutputShape);
        TensorPrimitives.Add(f.Span, s.Span, y.Span);
        return y;
    }

    /// <summary>dL/dx = f's backward of dL/dy + s's backward of dL/dy (dL/dy itself for the identity).</summary>
    public override Tensor Backward(Tensor dy)
    {
        var dxBody = _body.Backward(dy);
        var dxShortcut = _projection?.Backward(dy) ?? dy;
        if (!NeedsInputGradient) return Tensor.Empty;
        var dx = Tensor.Ensure(ref _dx, dy[0], InputShape);
        TensorPrimitives.Add(dxBody.Span, dxShortcut.Span, dx.Span);
        return dx;
    }

    /// <summary>The body's and the shortcut's nodes joined by ONNX Add.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x)
    {
        var f = onnx.Child(_body, x);
        var s = _projection is null ? x : onnx.Child(_projection, x);
        return onnx.Add("Add", [f, s]);
    }
}
