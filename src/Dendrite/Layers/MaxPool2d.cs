using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Max pooling: y = max of each window; dL/dx = dL/dy at the input that was the max, 0 elsewhere.
/// Forward remembers the argmax indices, so backward is one scatter.
/// </summary>
public sealed class MaxPool2d(int kernel, int stride = 0, int padding = 0) : Pool2d("maxpool", kernel, stride, padding), ISpecLayer<MaxPool2d>
{
    /// <summary><c>maxpool(kernel[,stride=kernel][,pad=0])</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("maxpool", "maxpool(kernel[,stride=kernel][,pad=0])", 3);

    /// <summary>Reads kernel, stride and pad.</summary>
    public static MaxPool2d FromSpec(LayerSpec s)
    {
        var (k, stride, pad) = Arguments(s);
        return new MaxPool2d(k, stride, pad);
    }

    /// <summary>ONNX MaxPool.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("MaxPool", [x], OnnxWindow());

    private Tensor? _y, _dx;
    private int[] _argmax = [];
    private int _n = -1;

    /// <summary>
    /// [N, C, H, W] -> [N, C, OH, OW], remembering where each maximum came from (the first on ties);
    /// <paramref name="training"/> is ignored. Throws <see cref="ShapeException"/> when x is not [N, ...InputShape].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _n = x[0];
        var y = Tensor.Ensure(ref _y, _n, OutputShape);
        if (_argmax.Length < y.Length) _argmax = new int[y.Length];
        int planes = Planes(_n);
        // Large maps are split by planes over the worker pool: the cnn's two pools took 0.66 and 0.86 ms on one thread,
        // 0.22 and 0.31 ms split over two (measured).
        if (Engine.Threads > 1 && y.Length >= ParallelOutputs)
        {
            int chunks = Math.Min(planes, 4 * Engine.Threads);
            _job.Set(x, y, _argmax, planes, chunks, Window);
            if (Engine.Pool.TryRun(_job, chunks, Engine.Threads)) return y;
        }
        Pooling.MaxForward(x.Span, planes, Window, y.Span, _argmax);
        return y;
    }

    private const int ParallelOutputs = 1 << 16;
    private readonly PlanesJob _job = new();

    /// <summary>An equal share of the planes per chunk; argmax indices stay absolute, so backward is unchanged.</summary>
    private sealed class PlanesJob : IParallelJob
    {
        private Tensor? _x, _y;
        private int[] _argmax = [];
        private int _planes, _chunks;
        private Window2d _g;

        public void Set(Tensor x, Tensor y, int[] argmax, int planes, int chunks, Window2d g) =>
            (_x, _y, _argmax, _planes, _chunks, _g) = (x, y, argmax, planes, chunks, g);

        public void Execute(int chunk) =>
            Pooling.MaxForward(_x!.Span, _planes, chunk * _planes / _chunks, (chunk + 1) * _planes / _chunks, _g, _y!.Span, _argmax);
    }

    /// <summary>dL/dx [N, C, H, W]: each dL/dy added at the input that won its window, 0 elsewhere. Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.</summary>
    public override Tensor Backward(Tensor dy)
    {
        if (_n < 0) throw new InvalidOperationException($"{Label}: backward before forward");
        var dx = Tensor.Ensure(ref _dx, _n, InputShape);
        Pooling.MaxBackward(dy.Span, _argmax.AsSpan(0, dy.Length), dx.Span);
        return dx;
    }
}
