namespace Dendrite;

/// <summary>
/// Layers run in order forward and in reverse order backward: the chain rule, one layer at a time.
/// Parameters are named PyTorch-style by position: <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, ...
/// </summary>
public sealed class Sequential
{
    private readonly List<Layer> _layers;
    private Parameter[] _parameters = [];
    private (string Name, Parameter Parameter)[] _named = [];

    public Sequential(params IEnumerable<Layer> layers)
    {
        _layers = [.. layers];
        if (_layers.Count == 0) throw new ArgumentException("a network needs at least one layer");
    }

    public IReadOnlyList<Layer> Layers => _layers;
    public int[] InputShape { get; private set; } = [];
    public int[] OutputShape => _layers[^1].OutputShape;
    public bool IsBuilt => _layers[^1].IsBuilt;

    /// <summary>
    /// The engine every layer computes on, chosen by <see cref="Build"/> (<see cref="Engine.Default"/> until then).
    /// Setting it (internal: a resumed run on another thread count) moves every layer to the new engine.
    /// </summary>
    public Engine Engine
    {
        get => _engine;
        internal set
        {
            _engine = value;
            foreach (var layer in _layers) layer.Engine = value;
        }
    }

    private Engine _engine = Engine.Default;

    /// <summary>All learnable tensors, in layer order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Parameters with their PyTorch-style names.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters => _named;

    public long ParameterCount => _parameters.Sum(p => (long)p.Length);

    /// <summary>The layers joined as a spec: <c>dense(256),relu,dense(10),softmax</c>.</summary>
    public string Spec => string.Join(",", _layers.Select(l => l.Spec));

    /// <summary>
    /// Fixes the per-sample input shape (e.g. [1, 28, 28] or [784]) and initialises every layer from one seed.
    /// A network whose first layer is dense (or rbf) and whose input is an image gets a <see cref="Flatten"/> in front,
    /// as an MLP sees an image as one long vector. Every layer computes on <paramref name="engine"/>
    /// (<see cref="Engine.Default"/> when null).
    /// </summary>
    public Sequential Build(int[] inputShape, ulong seed = 1, Engine? engine = null)
    {
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ShapeException($"input shape {Tensor.Format(inputShape)} must have positive sizes");
        if (inputShape.Length > 1 && _layers[0] is Dense or Rbf) _layers.Insert(0, new Flatten());
        var rng = new Rng(seed);
        var shape = inputShape;
        Engine = engine ?? Engine.Default;
        for (int i = 0; i < _layers.Count; i++)
        {
            _layers[i].Position = i + 1;
            _layers[i].Build(shape, rng);
            shape = _layers[i].OutputShape;
        }
        InputShape = (int[])inputShape.Clone();
        var named = new List<(string, Parameter)>();
        for (int i = 0; i < _layers.Count; i++)
            foreach (var p in _layers[i].Parameters) named.Add(($"{i}.{p.Name}", p));
        _named = [.. named];
        _parameters = [.. named.Select(n => n.Item2)];
        int first = _layers.FindIndex(l => l.Parameters.Count > 0);
        _firstLearnable = first < 0 ? _layers.Count : first;
        InputGradient = _inputGradient;
        return this;
    }

    /// <summary>Runs the first <paramref name="count"/> layers (all by default).</summary>
    public Tensor Forward(Tensor x, bool training = false, int count = -1)
    {
        RequireBuilt();
        if (count < 0) count = _layers.Count;
        for (int i = 0; i < count; i++) x = _layers[i].Forward(x, training);
        _predicted = false;
        return x;
    }

    /// <summary>
    /// The first <paramref name="count"/> layers (all by default) for inference only: the same values as
    /// Forward(x, training: false), but a convolution followed by ReLU computes both in one pass over its output
    /// and the ReLU layer is skipped (the cnn's ReLUs cost 0.2 of 4 ms as a pass of their own, measured).
    /// The skipped layers keep nothing for Backward, so Backward needs a Forward first.
    /// </summary>
    public Tensor Predict(Tensor x, int count = -1)
    {
        RequireBuilt();
        if (count < 0) count = _layers.Count;
        _predicted = true;
        for (int i = 0; i < count; i++)
        {
            if (_layers[i] is Conv2d conv && i + 1 < count && _layers[i + 1] is ReLU)
            {
                x = conv.Forward(x, training: false, relu: true);
                i++;
            }
            else x = _layers[i].Forward(x, training: false);
        }
        return x;
    }

    private bool _predicted;

    /// <summary>
    /// Whether <see cref="Backward"/> carries the gradient all the way to the input. Off by default, as in
    /// PyTorch: the first learnable layer then skips its dL/dx product, and the layers below it are not visited.
    /// </summary>
    public bool InputGradient
    {
        get => _inputGradient;
        set
        {
            _inputGradient = value;
            int first = FirstLearnable;
            for (int i = 0; i < _layers.Count; i++) _layers[i].NeedsInputGradient = value || i > first;
        }
    }

    private bool _inputGradient;

    // Index of the first layer with parameters (the layer count when none has): fixed when the network is built.
    private int FirstLearnable => _firstLearnable;

    private int _firstLearnable;

    /// <summary>
    /// Backpropagates dL/dy of layer <paramref name="last"/> (the final layer by default) down the network and
    /// returns dL/dx, or null when <see cref="InputGradient"/> is off.
    /// </summary>
    public Tensor? Backward(Tensor dy, int last = -1)
    {
        if (_predicted) throw new InvalidOperationException("Backward after Predict: the layers kept nothing for it; run Forward first");
        if (last < 0) last = _layers.Count - 1;
        int stop = _inputGradient ? 0 : FirstLearnable;
        for (int i = last; i >= stop && i >= 0; i--) dy = _layers[i].Backward(dy);
        return _inputGradient ? dy : null;
    }

    public void ZeroGrad() => Optimizer.ZeroGrad(_parameters);

    private void RequireBuilt()
    {
        if (!IsBuilt) throw new InvalidOperationException("the network is not built: call Build(inputShape) first");
    }
}
