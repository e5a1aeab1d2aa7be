namespace Dendrite;

/// <summary>
/// An elementwise function used as a layer: y = f(x), dL/dx = f'(x) * dL/dy.
/// The base class owns the batch and the buffers; a subclass writes the two loops.
/// </summary>
public abstract class Activation : Layer
{
    private Tensor? _x, _y, _dx;
    private Tensor? _saved; // the y that backward reads: this forward's output, or y0 when linearized

    /// <summary>The spec name: relu, sigmoid, ...</summary>
    public abstract string Name { get; }

    /// <summary>The spec is the <see cref="Name"/>: <c>relu</c>, <c>elu(0.5)</c>.</summary>
    public override string Spec => Name;

    /// <summary>
    /// y = f(x) for every element; y may be x itself (an inference plan applies activations in place). A batch may be
    /// handed over in consecutive slices, on several threads at once: each element's result must depend on that element alone.
    /// </summary>
    public abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>
    /// dx = f'(x) * dy, given the input x and the output y = f(x) of the same forward pass; like <see cref="Apply"/>, it
    /// may be called on consecutive slices of a batch, on several threads at once.
    /// </summary>
    public abstract void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    /// <summary>Any shape, unchanged.</summary>
    public override LayerShape Describe(int[] inputShape) => new((int[])inputShape.Clone());

    /// <summary>
    /// y = f(x) for every element of [N, ...InputShape], into a buffer the next call reuses; <paramref name="training"/>
    /// is ignored. Keeps a reference to <paramref name="x"/> (not a copy) for <see cref="Backward"/>, so x must not change
    /// in between. Throws <see cref="ShapeException"/> when x is not [N, ...InputShape].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        if (Linearized) return Tangent(x, y);
        _x = x;
        _saved = y;
        _job.Run(this, Engine, x.Data, null, null, y.Data, x.Length);
        return y;
    }

    /// <summary>The output of the last <see cref="Forward"/> (the layer's own buffer, overwritten by the next call); null before one.</summary>
    internal Tensor? LastOutput => _y;

    /// <summary>
    /// While true the layer computes its tangent at the first input it sees, y = f(x0) + f'(x0) (x - x0), and its backward
    /// uses f'(x0). A gradient check of a block sets it on the activations inside, so its finite differences cross no
    /// ReLU kink; the block's Jacobian at x0 is unchanged. Setting it (either way) forgets x0.
    /// </summary>
    internal bool Linearized
    {
        get => _linearized;
        set
        {
            _linearized = value;
            _x0 = null;
        }
    }

    private bool _linearized;
    private Tensor? _x0, _y0;

    private Tensor Tangent(Tensor x, Tensor y)
    {
        if (_x0 is null || _x0.Length != x.Length)
        {
            _x0 = x.Clone();
            _y0 = new Tensor(x.Shape.ToArray());
            Apply(_x0.Span, _y0.Span);
        }
        var delta = new Tensor(x.Shape.ToArray());
        System.Numerics.Tensors.TensorPrimitives.Subtract(x.Span, _x0.Span, delta.Span);
        Derive(_x0.Span, _y0!.Span, delta.Span, y.Span);
        System.Numerics.Tensors.TensorPrimitives.Add(y.Span, _y0.Span, y.Span);
        (_x, _saved) = (_x0, _y0); // backward: f'(x0)
        return y;
    }

    /// <summary>
    /// dL/dx = f'(x) * dL/dy from the last forward's x and y. Always computed (an activation has no parameters, so
    /// <see cref="Layer.NeedsInputGradient"/> is not consulted); <paramref name="dy"/> must have the output's shape (not checked).
    /// Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        var x = _x ?? throw new InvalidOperationException($"{Label}: backward before forward");
        var dx = Tensor.Ensure(ref _dx, x[0], InputShape);
        _job.Run(this, Engine, x.Data, _saved!.Data, dy.Data, dx.Data, x.Length);
        return dx;
    }

    /// <summary>Every elementwise activation Dendrite has, by spec name, with its default settings.</summary>
    public static IReadOnlyList<Activation> All() =>
        [new Linear(), new Step(), new Sigmoid(), new Tanh(), new ReLU(), new LeakyReLU(), new Elu(), new Gaussian()];

    private readonly SliceJob _job = new();

    // A batch split into slices of whole vectors, one per chunk: every element is computed as on one thread, so the
    // split never changes a result. Below SliceJob.MinSlice values a call stays on the calling thread.
    private sealed class SliceJob : Kernels.IParallelJob
    {
        private const int MinSlice = 1 << 15;
        private Activation? _layer;
        private float[]? _x, _y, _dy, _out;
        private int _length, _chunks;

        // Forward when y and dy are null (out = f(x)), else backward (out = f'(x) * dy).
        public void Run(Activation layer, Engine engine, float[] x, float[]? y, float[]? dy, float[] result, int length)
        {
            (_layer, _x, _y, _dy, _out, _length) = (layer, x, y, dy, result, length);
            _chunks = Math.Clamp(length / MinSlice, 1, 4 * engine.Threads);
            engine.Run(this, _chunks);
            (_layer, _x, _y, _dy, _out) = (null, null, null, null, null);
        }

        public void Execute(int chunk)
        {
            int start = Bound(chunk), count = Bound(chunk + 1) - start;
            if (_dy is null) _layer!.Apply(_x.AsSpan(start, count), _out.AsSpan(start, count));
            else _layer!.Derive(_x.AsSpan(start, count), _y.AsSpan(start, count), _dy.AsSpan(start, count), _out.AsSpan(start, count));
        }

        // Slice edges on multiples of 16 values (a 512-bit vector), so that no vector straddles two threads.
        private int Bound(int chunk) => chunk == _chunks ? _length : (int)((long)_length * chunk / _chunks) & ~15;
    }
}
