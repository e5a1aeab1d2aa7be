namespace Dendrite;

/// <summary>
/// One stage of a network. <see cref="Forward"/> maps a batch [N, ...inputShape] to [N, ...outputShape];
/// <see cref="Backward"/> takes dL/dy for the last forward batch, adds the parameter gradients into
/// each <see cref="Parameter.Grad"/> and returns dL/dx. Output and gradient tensors belong to the layer
/// and are reused by the next call, so a training step allocates nothing once the buffers exist.
/// </summary>
/// <remarks>
/// A layer type's whole contract lives in its own class: <see cref="Describe"/> checks an input shape and states the
/// output shape and every tensor the layer would create (without allocating: model files are validated with it),
/// <see cref="OnBuild"/> creates those tensors, <see cref="Spec"/> prints the layer in the spec grammar, and
/// <see cref="ToOnnx"/> maps it to ONNX operators. A type that implements <see cref="ISpecLayer{TSelf}"/> and is
/// registered once with <see cref="LayerCatalog.Register{T}"/> can be written in spec strings and loaded from model files.
/// Layers that hold layers (<see cref="Sequential"/>, <see cref="Residual"/>, <see cref="Concat"/>) name their
/// children's tensors by path, as PyTorch does: <c>3.body.0.weight</c>.
/// </remarks>
public abstract class Layer
{
    private int[]? _inputShape, _outputShape;
    private Parameter[] _parameters = [];

    /// <summary>The layer as the spec grammar writes it, e.g. <c>dense(128)</c>.</summary>
    public abstract string Spec { get; }

    /// <summary>Position in its parent (1-based), for error messages; 0 when standalone.</summary>
    public int Position { get; internal set; }

    /// <summary>The block holding this layer; null for a top-level network or a standalone layer.</summary>
    public Layer? Parent { get; private set; }

    /// <summary>This layer's name inside its parent (<c>3</c>, <c>body</c>, <c>body.0</c>): the prefix of its tensors' names.</summary>
    public string LocalName { get; private set; } = "";

    /// <summary>"layer 4 dense(128)", or "layer 3 residual > body.1 conv(8,3)" inside a block: how errors name this layer.</summary>
    public string Label
    {
        get
        {
            if (Parent is null) return Position > 0 ? $"layer {Position} {Spec}" : Spec;
            if (Parent.Parent is null) return $"layer {Position} {Spec}";
            // Inside a block: the top-level layer by number and kind, then the path of names down to this one.
            var path = LocalName;
            var top = Parent;
            for (; top.Parent!.Parent is not null; top = top.Parent) path = $"{top.LocalName}.{path}";
            return $"layer {top.Position} {top.Spec.Split('(')[0]} > {path} {Spec}";
        }
    }

    /// <summary>Whether <see cref="Build"/> has run.</summary>
    public bool IsBuilt => _outputShape is not null;

    /// <summary>Per-sample input shape fixed by <see cref="Build"/>, e.g. [1, 28, 28].</summary>
    public int[] InputShape => _inputShape ?? throw NotBuilt();

    /// <summary>Per-sample output shape fixed by <see cref="Build"/>.</summary>
    public int[] OutputShape => _outputShape ?? throw NotBuilt();

    /// <summary>Learnable tensors in a fixed order (no reflection): weight before bias, children in order. Set when the layer builds.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Declares the layer's learnable tensors, once, so reading <see cref="Parameters"/> allocates nothing.</summary>
    protected void Learns(params Parameter[] parameters) => _parameters = parameters;

    /// <summary>
    /// Parameters with their names inside this layer (<c>weight</c>; <c>body.0.weight</c> in a block). A block
    /// overrides this to prefix its children's names.
    /// </summary>
    public virtual IEnumerable<(string Name, Parameter Parameter)> NamedParameters => _parameters.Select(p => (p.Name, p));

    /// <summary>Tensors that are saved with the model but not trained (e.g. batch norm running statistics), named like <see cref="NamedParameters"/>.</summary>
    public virtual IReadOnlyList<(string Name, Tensor Value)> Buffers => [];

    /// <summary>Every child's parameters, named under the child's <see cref="LocalName"/>: what a block's <see cref="NamedParameters"/> returns.</summary>
    protected IEnumerable<(string Name, Parameter Parameter)> ChildParameters() =>
        Children.SelectMany(c => c.NamedParameters.Select(p => ($"{c.LocalName}.{p.Name}", p.Parameter)));

    /// <summary>Every child's buffers, named under the child's <see cref="LocalName"/>: what a block's <see cref="Buffers"/> returns.</summary>
    protected IEnumerable<(string Name, Tensor Value)> ChildBuffers() =>
        Children.SelectMany(c => c.Buffers.Select(b => ($"{c.LocalName}.{b.Name}", b.Value)));

    /// <summary>The layers this one holds (empty for a plain layer).</summary>
    public virtual IReadOnlyList<Layer> Children => [];

    /// <summary>
    /// For a block: each child with the input it sees when the block runs forward (training mode) on
    /// <paramref name="x"/>, so a gradient check can go layer by layer inside blocks. Empty for a plain layer, and for a
    /// composite that does not say (it is then checked as a whole).
    /// </summary>
    internal virtual IReadOnlyList<(Layer Child, Tensor Input)> ChildInputs(Tensor x) => [];

    /// <summary>This layer and every layer inside it, depth first (a block before its children).</summary>
    public IEnumerable<Layer> Walk() => Children.SelectMany(c => c.Walk()).Prepend(this);

    /// <summary>
    /// False when nothing below this layer needs dL/dx (it is the network's first learnable layer): <see cref="Dense"/>,
    /// <see cref="Conv2d"/>, <see cref="Rbf"/> and the blocks then skip that product and return <see cref="Tensor.Empty"/>;
    /// the other layers compute it anyway. Set by <see cref="Sequential"/>.
    /// </summary>
    public virtual bool NeedsInputGradient { get; set; } = true;

    /// <summary>
    /// True for layers that read each sample as one vector (dense, rbf): a network that starts with one on image
    /// input gets a <see cref="Flatten"/> in front, as an MLP sees an image as one long vector.
    /// </summary>
    public virtual bool TakesVectors => false;

    /// <summary>
    /// The engine the layer's kernels run on (threads, kernel settings, backend): <see cref="Engine.Default"/> until
    /// <see cref="Sequential.Build(int[], ulong, Engine?)"/> sets its network's engine. Setting it moves the layers inside too.
    /// </summary>
    public Engine Engine
    {
        get => _engine;
        internal set
        {
            _engine = value;
            foreach (var child in Children) child.Engine = value;
        }
    }

    private Engine _engine = Engine.Default;

    /// <summary>Multiply-adds for one sample's forward pass (built layers).</summary>
    public virtual long MultiplyAdds => 0;

    /// <summary>
    /// Checks that the layer can take samples of <paramref name="inputShape"/> and states its output shape and
    /// the name and shape of every parameter and buffer it would create, named as <see cref="NamedParameters"/> and
    /// <see cref="Buffers"/> will name them. Allocates no tensor: model files are checked against it before any
    /// layer is built. Throws <see cref="ShapeException"/> naming the layer when the input does not fit.
    /// </summary>
    public abstract LayerShape Describe(int[] inputShape);

    /// <summary>Checks the per-sample input shape, creates the parameters, fixes the output shape.</summary>
    public void Build(int[] inputShape, Rng rng)
    {
        var shape = Describe(inputShape);
        OnBuild(inputShape, rng);
        _inputShape = (int[])inputShape.Clone();
        _outputShape = (int[])shape.Output.Clone();
        CheckBuilt(shape);
    }

    /// <summary>Creates the tensors <see cref="Describe"/> stated (and any workspace) for a checked input shape.</summary>
    protected virtual void OnBuild(int[] inputShape, Rng rng) { }

    /// <summary>Runs a batch through the layer; <paramref name="training"/> selects training behaviour (dropout, batch statistics).</summary>
    public abstract Tensor Forward(Tensor x, bool training);

    /// <summary>Adds parameter gradients for the last forward batch and returns dL/dx (or <see cref="Tensor.Empty"/> when not needed).</summary>
    public abstract Tensor Backward(Tensor dy);

    /// <summary>
    /// The inference forward: the values of <c>Forward(x, training: false)</c>, possibly computed faster (a block fuses a
    /// convolution with the ReLU after it). Backward needs a <see cref="Forward"/> first.
    /// </summary>
    public virtual Tensor Predict(Tensor x) => Forward(x, training: false);

    /// <summary>
    /// Adds the ONNX nodes computing this layer on the value named <paramref name="input"/> and returns the name of
    /// its output. Layers without a mapping throw <see cref="NotSupportedException"/> naming the layer.
    /// </summary>
    public virtual string ToOnnx(OnnxBuilder onnx, string input) =>
        throw new NotSupportedException($"{Label}: {GetType().Name} has no ONNX mapping (override Layer.ToOnnx to give one)");

    /// <summary>Throws unless x is [N, ...InputShape].</summary>
    protected void CheckInput(Tensor x)
    {
        var expected = InputShape;
        if (x.Rank != expected.Length + 1 || !x.Shape[1..].SequenceEqual(expected))
            throw new ShapeException($"{Label}: input {Tensor.Format(x.Shape)} does not match [N, {string.Join(", ", expected)}]");
    }

    /// <summary>A <see cref="ShapeException"/> whose message starts with this layer's <see cref="Label"/>.</summary>
    protected ShapeException Error(string message) => new($"{Label}: {message}");

    /// <summary>Makes <paramref name="child"/> a part of this block, named <paramref name="localName"/> (its tensors' prefix).</summary>
    protected void Adopt(Layer child, string localName, int position)
    {
        if (child.Parent is not null && child.Parent != this)
            throw new ArgumentException($"{child.Spec} already belongs to {child.Parent.Spec}; a layer can sit in one place only");
        child.Parent = this;
        child.LocalName = localName;
        child.Position = position;
    }

    internal void Detach() => Parent = null;

    /// <summary>"[N, 1, 28, 28]"-style text for a per-sample shape.</summary>
    protected static string Batch(int[] shape) => $"[N, {string.Join(", ", shape)}]";

    // The contract: what Build created is what Describe promised (names and shapes), so model files can trust Describe.
    private void CheckBuilt(LayerShape shape)
    {
        var made = NamedParameters.Select(p => new NamedShape(p.Name, p.Parameter.Value.Shape.ToArray()))
            .Concat(Buffers.Select(b => new NamedShape(b.Name, b.Value.Shape.ToArray()))).ToList();
        var promised = shape.Tensors.ToDictionary(t => t.Name, t => t.Shape);
        if (made.Count != promised.Count || made.Any(m => !promised.TryGetValue(m.Name, out var s) || !s.SequenceEqual(m.Shape)))
            throw new InvalidOperationException($"{Label}: built tensors ({string.Join(", ", made)}) differ from what Describe stated ({string.Join(", ", shape.Tensors)})");
    }

    private InvalidOperationException NotBuilt() => new($"{Label}: not built yet; call Build or add it to a built Sequential");

    /// <summary>The layer's spec.</summary>
    public override string ToString() => Spec;
}
