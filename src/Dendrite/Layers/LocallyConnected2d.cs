using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Locally connected: a convolution without weight sharing. Each output position (oy, ox) has its own filter bank,
/// y[n, f, oy, ox] = b[f, oy, ox] + sum over c, i, j of w[oy, ox, f, c, i, j] x[n, c, oy*s - pad + i, ox*s - pad + j];
/// dL/dw[oy, ox, f] += dy[n, f, oy, ox] times the window it read, dL/db += dy, dL/dx gathers each window's share back.
/// The lecture's middle step between a dense layer (every output reads every input) and a convolution (each output reads
/// a small window, and all positions share the filters): on 3x32x32 with 5x5 windows, <c>local(8,5)</c> has
/// 28*28*8*(75+1) = 476,672 parameters, <c>conv(8,5)</c> 8*(75+1) = 608, and a dense layer onto the same 8x28x28
/// outputs 6,272*(3,072+1) = 19,273,856.
/// </summary>
public sealed class LocallyConnected2d : Layer, ISpecLayer<LocallyConnected2d>
{
    /// <summary><c>local(filters,kernel[,stride=1][,pad=0][,bias=true|false])</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("local", "local(filters,kernel[,stride=1][,pad=0][,bias=true|false])", 5);

    /// <summary>Reads filters, kernel, stride, pad and bias.</summary>
    public static LocallyConnected2d FromSpec(LayerSpec s) =>
        new(s.Int(0, "filters"), s.Int(1, "kernel"), s.Int(2, "stride", 1), s.Int(3, "pad", 0), s.Bool(4, "bias", true));

    private Parameter? _weight, _bias;
    private LocalConnection? _kernel;
    private Window2d _g;
    private Tensor? _y, _dx;
    private float[] _rows = [], _rowGradients = [];
    private int _batch;

    /// <summary>A locally connected layer of square kh = kw = <paramref name="kernel"/> windows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">filters, kernel or stride is below 1, or pad is negative.</exception>
    public LocallyConnected2d(int filters, int kernel, int stride = 1, int pad = 0, bool bias = true)
    {
        string name = $"local({filters},{kernel})";
        Filters = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), $"{name}: filters must be positive");
        Kernel = kernel > 0 ? kernel : throw new ArgumentOutOfRangeException(nameof(kernel), $"{name}: kernel must be positive");
        Stride = stride > 0 ? stride : throw new ArgumentOutOfRangeException(nameof(stride), $"{name}: stride must be positive");
        Pad = pad >= 0 ? pad : throw new ArgumentOutOfRangeException(nameof(pad), $"{name}: padding must be zero or more");
        HasBias = bias;
    }

    /// <summary>Filters F at every position (output channels).</summary>
    public int Filters { get; }

    /// <summary>Window side k.</summary>
    public int Kernel { get; }

    /// <summary>Step of the window on both axes.</summary>
    public int Stride { get; }

    /// <summary>Zeros added on every side.</summary>
    public int Pad { get; }

    /// <summary>Whether each output value (filter and position) adds its own bias.</summary>
    public bool HasBias { get; }

    /// <summary>W, [OH, OW, F, C, k, k]: position (oy, ox)'s filter bank is one contiguous [F, C, k, k] block. Throws before build.</summary>
    public Parameter Weight => _weight ?? throw new InvalidOperationException($"{Label}: not built");

    /// <summary>b, [F, OH, OW], exempt from weight decay; null without a bias or before build.</summary>
    public Parameter? Bias => _bias;

    /// <summary><c>local(filters,kernel)</c>, adding stride, pad and bias where they differ from the defaults.</summary>
    public override string Spec =>
        $"local({Filters},{Kernel}{(Stride == 1 ? "" : $",stride={Stride}")}{(Pad == 0 ? "" : $",pad={Pad}")}{(HasBias ? "" : ",bias=false")})";

    /// <summary>F x OH x OW x C x k x k per sample, as many as the convolution of the same shape: only the weights are not shared.</summary>
    public override long MultiplyAdds => _kernel is null ? 0 : (long)Filters * _kernel.Positions * _kernel.Rows;

    /// <summary>[C, H, W] -> [F, OH, OW]; weight [OH, OW, F, C, k, k], bias [F, OH, OW].</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        var g = WindowFor(inputShape);
        NamedShape weight = new("weight", [g.OutH, g.OutW, Filters, inputShape[0], Kernel, Kernel]);
        int[] output = [Filters, g.OutH, g.OutW];
        return HasBias ? new LayerShape(output, weight, new NamedShape("bias", output)) : new LayerShape(output, weight);
    }

    private Window2d WindowFor(int[] inputShape)
    {
        if (inputShape.Length != 3) throw Error($"input {Batch(inputShape)} is not an image [N, C, H, W]");
        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        var g = Window2d.Create(h, w, Kernel, Kernel, Stride, Pad, Pad, 1);
        if (g.OutH < 1 || g.OutW < 1)
            throw Error($"kernel {Kernel}x{Kernel} is larger than the padded input {h + 2 * Pad}x{w + 2 * Pad} (input [N, {c}, {h}, {w}])");
        return g;
    }

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        _g = WindowFor(inputShape);
        int c = inputShape[0], fanIn = c * Kernel * Kernel;
        var w = new Tensor(_g.OutH, _g.OutW, Filters, c, Kernel, Kernel);
        // The same draw as a convolution's: each unit reads C k k inputs.
        Initialization.Fill(Initializer.He, w.Span, fanIn: fanIn, fanOut: Filters * Kernel * Kernel, rng);
        _weight = new Parameter("weight", w);
        _bias = HasBias ? new Parameter("bias", new Tensor(Filters, _g.OutH, _g.OutW)) { Decays = false } : null;
        Learns(_bias is null ? [_weight] : [_weight, _bias]);
        _kernel = new LocalConnection(c, _g, Filters);
    }

    /// <summary>
    /// [N, C, H, W] -> [N, F, OH, OW]: each sample's windows gathered into rows, then one dot product per filter and
    /// position; <paramref name="training"/> is ignored. Throws <see cref="ShapeException"/> when x is not [N, ...InputShape].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        int n = x[0];
        _batch = n;
        var rows = Grow(ref _rows, n * _kernel!.Positions * _kernel.Rows);
        _kernel.Gather(Engine, x.Span, n, rows);
        var y = Tensor.Ensure(ref _y, n, OutputShape);
        _kernel.Forward(Engine, rows, n, Weight.Value.Span, _bias is null ? [] : _bias.Value.Span, y.Span);
        return y;
    }

    /// <summary>
    /// Adds dL/dW and dL/db; returns dL/dx [N, C, H, W], or <see cref="Tensor.Empty"/> when <see cref="Layer.NeedsInputGradient"/>
    /// is false. Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        if (_batch == 0) throw new InvalidOperationException($"{Label}: backward before forward");
        int n = _batch, size = n * _kernel!.Positions * _kernel.Rows;
        var rows = _rows.AsSpan(0, size);
        _kernel.WeightGradient(Engine, rows, dy.Span, n, Weight.Grad.Span, _bias is null ? [] : _bias.Grad.Span);
        if (!NeedsInputGradient) return Tensor.Empty;
        var dx = Tensor.Ensure(ref _dx, n, InputShape);
        _kernel.InputGradient(Engine, dy.Span, n, Weight.Value.Span, Grow(ref _rowGradients, size), dx.Span);
        return dx;
    }

    /// <summary>
    /// ONNX: a Conv with one-hot filters copies every window into channels ([N, C k k, OH, OW], im2col as a convolution),
    /// an Einsum <c>nrhw,hwfr->nfhw</c> applies each position's own filters, and an Add puts on the bias.
    /// </summary>
    public override string ToOnnx(OnnxBuilder onnx, string x)
    {
        int c = InputShape[0], r = c * Kernel * Kernel;
        var pick = new float[r * r];
        for (int k = 0; k < r; k++) pick[k * r + k] = 1f; // output channel k = (c, i, j) reads input channel c at tap (i, j)
        var windows = onnx.Add("Conv", [x, onnx.Constant("windows", [r, c, Kernel, Kernel], pick)],
            OnnxAttribute.Ints("kernel_shape", Kernel, Kernel), OnnxAttribute.Ints("strides", Stride, Stride),
            OnnxAttribute.Ints("pads", Pad, Pad, Pad, Pad));
        var weight = onnx.Constant(Weight.Name, [_g.OutH, _g.OutW, Filters, r], Weight.Value.Span);
        var y = onnx.Add("Einsum", [windows, weight], OnnxAttribute.String("equation", "nrhw,hwfr->nfhw"));
        return _bias is { } b ? onnx.Add("Add", [y, onnx.Weight(b)]) : y;
    }

    private static Span<float> Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
