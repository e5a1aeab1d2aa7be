namespace Dendrite;

/// <summary>
/// Parallel branches on the same input, their outputs joined along the first per-sample axis (channels of an image,
/// features of a vector), as in Inception: y = [f1(x); f2(x); ...]. dL/dx is the sum of each branch's backward of its
/// slice of dL/dy. Every branch must give the same shape apart from that axis. Write a branch of several layers as
/// <c>sequential(...)</c>: <c>concat(conv(8,1),sequential(conv(8,3,pad=1),relu))</c>.
/// </summary>
public sealed class Concat : Layer, ISpecLayer<Concat>
{
    private readonly List<Layer> _branches;
    private Tensor?[] _dys = [];
    private Tensor? _y, _dx;

    /// <summary><c>concat(layer,...)</c>: one layer per branch.</summary>
    public static LayerSyntax Syntax { get; } = new("concat", "concat(branch,...)", int.MaxValue);

    /// <summary>Reads one layer per branch; needs at least one.</summary>
    public static Concat FromSpec(LayerSpec s)
    {
        var layers = s.Layers();
        if (layers.Count == 0) throw s.Fail("an empty block: give at least one branch");
        return new Concat(layers);
    }

    /// <summary>Branches run on the same input.</summary>
    public Concat(params IEnumerable<Layer> branches)
    {
        _branches = [.. branches];
        if (_branches.Count == 0) throw new ArgumentException("concat needs at least one branch");
        for (int i = 0; i < _branches.Count; i++) Adopt(_branches[i], i.ToString(System.Globalization.CultureInfo.InvariantCulture), i + 1);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> Children => _branches;

    /// <inheritdoc/>
    public override string Spec => $"concat({string.Join(",", _branches.Select(b => b.Spec))})";

    /// <inheritdoc/>
    public override long MultiplyAdds => _branches.Sum(b => b.MultiplyAdds);

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Parameter Parameter)> NamedParameters => ChildParameters();

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, Tensor Value)> Buffers => [.. ChildBuffers()];

    /// <summary>Branch outputs joined on their first axis; each branch's tensors under its index.</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        var tensors = new List<NamedShape>();
        int[]? output = null;
        foreach (var branch in _branches)
        {
            var d = branch.Describe(inputShape);
            tensors.AddRange(d.Tensors.Select(t => t.Under(branch.LocalName)));
            if (output is null) output = (int[])d.Output.Clone();
            else if (d.Output.Length != output.Length || !d.Output.AsSpan(1).SequenceEqual(output.AsSpan(1)))
                throw Error($"branch {branch.LocalName} gives {Batch(d.Output)}, branch 0 gives {Batch(_branches[0].Describe(inputShape).Output)}: " +
                            "branches must agree on every axis but the first");
            else output[0] += d.Output[0];
        }
        return new(output!, tensors);
    }

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        foreach (var branch in _branches) branch.Build(inputShape, rng);
        _dys = [.. _branches.Select(_ => new Tensor(0))];
        Learns([.. _branches.SelectMany(b => b.Parameters)]);
        NeedsInputGradient = NeedsInputGradient;
    }

    /// <summary>Passed to every branch.</summary>
    public override bool NeedsInputGradient
    {
        get => base.NeedsInputGradient;
        set
        {
            base.NeedsInputGradient = value;
            foreach (var branch in _branches) branch.NeedsInputGradient = value;
        }
    }

    /// <summary>Every branch sees x.</summary>
    internal override IReadOnlyList<(Layer Child, Tensor Input)> ChildInputs(Tensor x) => [.. _branches.Select(b => ((Layer)b, x.Clone()))];

    /// <summary>Each branch's output copied into its slice of every sample.</summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        int offset = 0;
        foreach (var branch in _branches) offset = Place(branch.Forward(x, training), y, offset);
        return y;
    }

    /// <summary>As <see cref="Forward"/>, with each branch's inference forward.</summary>
    public override Tensor Predict(Tensor x)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        int offset = 0;
        foreach (var branch in _branches) offset = Place(branch.Predict(x), y, offset);
        return y;
    }

    // Copies each sample of part into y's samples at offset; returns the offset after it.
    private static int Place(Tensor part, Tensor y, int offset)
    {
        int n = part[0], size = part.Length / n, stride = y.Length / n;
        for (int i = 0; i < n; i++) part.Span.Slice(i * size, size).CopyTo(y.Span.Slice(i * stride + offset, size));
        return offset + size;
    }

    /// <summary>Each branch gets its slice of dL/dy; dL/dx is the sum of what they return.</summary>
    public override Tensor Backward(Tensor dy)
    {
        int n = dy[0], stride = dy.Length / n, offset = 0;
        Tensor? dx = NeedsInputGradient ? Tensor.Ensure(ref _dx, n, InputShape) : null;
        for (int b = 0; b < _branches.Count; b++)
        {
            var branch = _branches[b];
            var part = Tensor.Ensure(ref _dys[b], n, branch.OutputShape);
            int size = part.Length / n;
            for (int i = 0; i < n; i++) dy.Span.Slice(i * stride + offset, size).CopyTo(part.Span.Slice(i * size, size));
            offset += size;
            var g = branch.Backward(part);
            if (dx is null) continue;
            if (b == 0) g.Span.CopyTo(dx.Span);
            else System.Numerics.Tensors.TensorPrimitives.Add(dx.Span, g.Span, dx.Span);
        }
        return dx ?? Tensor.Empty;
    }

    /// <summary>Each branch's nodes, joined by ONNX Concat on axis 1.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) =>
        onnx.Add("Concat", [.. _branches.Select(b => onnx.Child(b, x))], OnnxAttribute.Int("axis", 1));
}
