namespace Dendrite;

/// <summary>
/// One stage of a network. <see cref="Forward"/> maps a batch [N, ...inputShape] to [N, ...outputShape];
/// <see cref="Backward"/> takes dL/dy for the last forward batch, adds the parameter gradients into
/// each <see cref="Parameter.Grad"/> and returns dL/dx. Output and gradient tensors belong to the layer
/// and are reused by the next call, so a training step allocates nothing once the buffers exist.
/// </summary>
public abstract class Layer
{
    private int[]? _inputShape, _outputShape;

    /// <summary>The layer as the spec grammar writes it, e.g. <c>dense(128)</c>.</summary>
    public abstract string Spec { get; }

    /// <summary>Position in its network (1-based), for error messages; 0 when standalone.</summary>
    public int Position { get; internal set; }

    /// <summary>"layer 4 dense(128)": how errors name this layer.</summary>
    public string Label => Position > 0 ? $"layer {Position} {Spec}" : Spec;

    public bool IsBuilt => _outputShape is not null;
    public int[] InputShape => _inputShape ?? throw NotBuilt();
    public int[] OutputShape => _outputShape ?? throw NotBuilt();

    /// <summary>Learnable tensors in a fixed order (no reflection): weight before bias. Set by the layer when it builds.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    private Parameter[] _parameters = [];

    /// <summary>Declares the layer's learnable tensors, once, so reading <see cref="Parameters"/> allocates nothing.</summary>
    protected void Learns(params Parameter[] parameters) => _parameters = parameters;

    /// <summary>Tensors that are saved with the model but not trained (e.g. batch norm running statistics).</summary>
    public virtual IReadOnlyList<(string Name, Tensor Value)> Buffers => [];

    /// <summary>
    /// False when nothing below this layer needs dL/dx (it is the network's first learnable layer): backward then
    /// skips that product and returns <see cref="Tensor.Empty"/>. Set by <see cref="Sequential"/>.
    /// </summary>
    public bool NeedsInputGradient { get; set; } = true;

    /// <summary>
    /// The engine the layer's kernels run on (threads, kernel settings, backend): <see cref="Engine.Default"/>
    /// until <see cref="Sequential.Build"/> sets its network's engine.
    /// </summary>
    public Engine Engine { get; internal set; } = Engine.Default;

    /// <summary>Multiply-adds for one sample's forward pass.</summary>
    public virtual long MultiplyAdds => 0;

    /// <summary>Checks the per-sample input shape, creates the parameters, fixes the output shape.</summary>
    public void Build(int[] inputShape, Rng rng)
    {
        _outputShape = OnBuild(inputShape, rng);
        _inputShape = (int[])inputShape.Clone();
    }

    protected abstract int[] OnBuild(int[] inputShape, Rng rng);

    public abstract Tensor Forward(Tensor x, bool training);

    public abstract Tensor Backward(Tensor dy);

    /// <summary>Throws unless x is [N, ...InputShape].</summary>
    protected void CheckInput(Tensor x)
    {
        var expected = InputShape;
        if (x.Rank != expected.Length + 1 || !x.Shape[1..].SequenceEqual(expected))
            throw new ShapeException($"{Label}: input {Tensor.Format(x.Shape)} does not match [N, {string.Join(", ", expected)}]");
    }

    protected ShapeException Error(string message) => new($"{Label}: {message}");

    private InvalidOperationException NotBuilt() => new($"{Label}: not built yet; call Build or add it to a built Sequential");

    public override string ToString() => Spec;
}
