namespace Dendrite;

/// <summary>
/// Layers run in order forward and in reverse order backward: the chain rule, one layer at a time.
/// A network is a Sequential; so is a block inside one, written <c>sequential(dense(64),relu)</c> in a spec.
/// Tensors are named PyTorch-style by position: <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, and inside
/// blocks by path: <c>3.body.0.weight</c>.
/// </summary>
public sealed class Sequential : Layer, ISpecLayer<Sequential>
{
    private readonly List<Layer> _layers;
    private (string Name, Parameter Parameter)[] _named = [];
    private (string Name, Tensor Value)[] _buffers = [];
    private int _firstLearnable;
    private bool _predicted;

    /// <summary><c>sequential(layer,...)</c>: a block of layers run in order.</summary>
    public static LayerSyntax Syntax { get; } = new("sequential", "sequential(layer,...)", int.MaxValue, "seq");

    /// <summary>Reads the block's layers; an empty block is refused.</summary>
    public static Sequential FromSpec(LayerSpec s)
    {
        var layers = s.Layers();
        if (layers.Count == 0) throw s.Fail("an empty block: give at least one layer");
        return new Sequential(layers);
    }

    /// <summary>A network (or block) of the given layers, in order.</summary>
    public Sequential(params IEnumerable<Layer> layers)
    {
        _layers = [.. layers];
        if (_layers.Count == 0) throw new ArgumentException("a network needs at least one layer");
        AdoptAll();
    }

    /// <summary>The layers, in order (a <see cref="Flatten"/> added in front by <see cref="Build(int[], ulong, Engine?)"/> included).</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> Children => _layers;

    /// <summary>All learnable tensors with their path names (<c>0.weight</c>, <c>3.body.0.bias</c>), in layer order.</summary>
    public override IEnumerable<(string Name, Parameter Parameter)> NamedParameters => _named;

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, Tensor Value)> Buffers => _buffers;

    /// <summary>Number of learnable floats.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Length);

    /// <summary>
    /// The layers joined as a spec: <c>dense(256),relu,dense(10),softmax</c> for a network, and
    /// <c>sequential(dense(64),relu)</c> for a block inside one.
    /// </summary>
    public override string Spec
    {
        get
        {
            string layers = string.Join(",", _layers.Select(l => l.Spec));
            return Parent is null ? layers : $"sequential({layers})";
        }
    }

    /// <inheritdoc/>
    public override long MultiplyAdds => _layers.Sum(l => l.MultiplyAdds);

    /// <inheritdoc/>
    public override bool TakesVectors => _layers[0].TakesVectors;

    /// <summary>
    /// Fixes the per-sample input shape (e.g. [1, 28, 28] or [784]) and initialises every layer from one seed.
    /// A network whose first layer takes vectors (dense, rbf) and whose input is an image gets a <see cref="Flatten"/>
    /// in front, as an MLP sees an image as one long vector. Every layer computes on <paramref name="engine"/>
    /// (<see cref="Engine.Default"/> when null).
    /// </summary>
    public Sequential Build(int[] inputShape, ulong seed = 1, Engine? engine = null)
    {
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ShapeException($"input shape {Tensor.Format(inputShape)} must have positive sizes");
        Engine = engine ?? Engine.Default;
        Build(inputShape, new Rng(seed));
        return this;
    }

    /// <summary>Each layer's output shape and tensors in turn; the block's tensors are its layers' under their index.</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        FlattenFor(inputShape);
        var tensors = new List<NamedShape>();
        var shape = inputShape;
        for (int i = 0; i < _layers.Count; i++)
        {
            var d = _layers[i].Describe(shape);
            tensors.AddRange(d.Tensors.Select(t => t.Under(_layers[i].LocalName)));
            shape = d.Output;
        }
        return new(shape, tensors);
    }

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        var shape = inputShape;
        foreach (var layer in _layers)
        {
            layer.Build(shape, rng);
            shape = layer.OutputShape;
        }
        // Parameters first, then buffers, as Describe lists them.
        _named = [.. ChildParameters()];
        _buffers = [.. ChildBuffers()];
        Learns([.. _named.Select(n => n.Parameter)]);
        int first = _layers.FindIndex(l => l.Parameters.Count > 0);
        _firstLearnable = first < 0 ? _layers.Count : first;
        NeedsInputGradient = NeedsInputGradient; // passes the flag down now that the first learnable layer is known
    }

    // A top-level network on image input whose first layer takes vectors gets a Flatten in front (once).
    private void FlattenFor(int[] inputShape)
    {
        if (Parent is not null || inputShape.Length < 2 || !_layers[0].TakesVectors || _layers[0] is Sequential) return;
        _layers.Insert(0, new Flatten { Engine = Engine });
        AdoptAll();
    }

    private void AdoptAll()
    {
        for (int i = 0; i < _layers.Count; i++) Adopt(_layers[i], i.ToString(System.Globalization.CultureInfo.InvariantCulture), i + 1);
    }

    /// <summary>Each layer with the output of the layers before it.</summary>
    internal override IReadOnlyList<(Layer Child, Tensor Input)> ChildInputs(Tensor x)
    {
        var inputs = new List<(Layer, Tensor)>();
        foreach (var layer in _layers)
        {
            inputs.Add((layer, x.Clone()));
            x = layer.Forward(x, training: true);
        }
        return inputs;
    }

    /// <summary>Runs every layer.</summary>
    public override Tensor Forward(Tensor x, bool training) => Forward(x, training, -1);

    /// <summary>Runs the first <paramref name="count"/> layers (all when negative), in training mode or not.</summary>
    public Tensor Forward(Tensor x, bool training = false, int count = -1)
    {
        RequireBuilt();
        if (count < 0) count = _layers.Count;
        for (int i = 0; i < count; i++) x = _layers[i].Forward(x, training);
        _predicted = false;
        return x;
    }

    /// <summary>The inference forward of every layer (see <see cref="Predict(Tensor, int)"/>).</summary>
    public override Tensor Predict(Tensor x) => Predict(x, -1);

    /// <summary>
    /// The first <paramref name="count"/> layers (all when negative) for inference only: the values of
    /// Forward(x, training: false) up to float rounding, computed by an <see cref="InferencePlan"/> (batch norm folded,
    /// activations fused into the step before them, dropout dropped, each convolution's algorithm measured) that is built
    /// on the first call for each <paramref name="count"/> and kept. The layers keep nothing for Backward, so Backward
    /// needs a Forward first.
    /// </summary>
    public Tensor Predict(Tensor x, int count)
    {
        RequireBuilt();
        if (Engine.Backend is not null && Parent is null) return Device!.Predict(x, count);
        if (count < 0 || count > _layers.Count) count = _layers.Count;
        _predicted = true;
        if (!_plans.TryGetValue(count, out var plan)) _plans[count] = plan = InferencePlan.Build(this, count);
        return plan.Run(x);
    }

    private readonly Dictionary<int, InferencePlan> _plans = [];

    /// <summary>
    /// Whether <see cref="Backward(Tensor, int)"/> carries the gradient all the way to the input. Off by default for a
    /// network, as in PyTorch: the first learnable layer then skips its dL/dx product, and the layers below it are not visited.
    /// </summary>
    public bool InputGradient
    {
        get => NeedsInputGradient;
        set => NeedsInputGradient = value;
    }

    /// <summary>Passed down: a layer needs dL/dx when this block does or a learnable layer sits below it.</summary>
    public override bool NeedsInputGradient
    {
        get => _needsInputGradient ?? Parent is not null;
        set
        {
            _needsInputGradient = value;
            for (int i = 0; i < _layers.Count; i++) _layers[i].NeedsInputGradient = value || i > _firstLearnable;
        }
    }

    private bool? _needsInputGradient;

    /// <summary>Backpropagates through every layer; returns dL/dx, or <see cref="Tensor.Empty"/> when it is not needed.</summary>
    public override Tensor Backward(Tensor dy) => Backward(dy, -1) ?? Tensor.Empty;

    /// <summary>
    /// Backpropagates dL/dy of layer <paramref name="last"/> (0-based; the final layer when negative) down the network
    /// and returns dL/dx, or null when <see cref="InputGradient"/> is off.
    /// </summary>
    public Tensor? Backward(Tensor dy, int last)
    {
        if (_predicted) throw new InvalidOperationException("Backward after Predict: the layers kept nothing for it; run Forward first");
        if (last < 0) last = _layers.Count - 1;
        bool needed = NeedsInputGradient;
        int stop = needed ? 0 : _firstLearnable;
        for (int i = last; i >= stop && i >= 0; i--) dy = _layers[i].Backward(dy);
        return needed ? dy : null;
    }

    /// <summary>
    /// The device copy of this network when its engine has a <see cref="Engine.Backend"/> (made on first use, again
    /// after the engine changes); null on the CPU or for a block inside a network.
    /// </summary>
    public DeviceNetwork? Device
    {
        get
        {
            if (Engine.Backend is not { } backend || Parent is not null) return null;
            RequireBuilt();
            if (_device is null || _deviceEngine != Engine) (_device, _deviceEngine) = (backend.Attach(this), Engine);
            return _device;
        }
    }

    private DeviceNetwork? _device;
    private Engine? _deviceEngine;

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad() => Optimizer.ZeroGrad(Parameters);

    /// <summary>Each layer's ONNX nodes in turn, its constants named by its index.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x)
    {
        foreach (var layer in _layers) x = onnx.Child(layer, x);
        return x;
    }

    private void RequireBuilt()
    {
        if (!IsBuilt) throw new InvalidOperationException("the network is not built: call Build(inputShape) first");
    }
}
