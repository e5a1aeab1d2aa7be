using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// 2-D convolution: y[n, o] = b[o] + sum over c of w[o, c] ⋆ x[n, c], w in [out, in, kh, kw] (PyTorch's and ONNX's layout).
/// Lowered to GEMM by im2col: Y = W col; dL/dW += dY colᵀ; dL/db += sum of dY; dL/dcol = Wᵀ dY, and col2im turns
/// dL/dcol into dL/dx. Several images share one column matrix, so each GEMM has n = images x OH x OW.
/// Where they measured faster, the forward pass runs as a direct convolution (few input channels, see
/// <see cref="DirectConvolution"/>) or by Winograd (stride-1 3x3 and 5x5, see <see cref="WinogradConvolution"/>);
/// by the same kernels' own rules, Winograd may compute dL/dx, and either may compute dL/dW when dL/dx is not needed.
/// </summary>
public sealed class Conv2d : Layer, ISpecLayer<Conv2d>
{
    /// <summary><c>conv(filters,kernel[,stride][,pad][,dilation][,bias][,init])</c>, also <c>conv2d</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("conv",
        "conv(filters,kernel|kernel=KHxKW|kh=,kw=[,stride=1][,pad=0|P|PHxPW|same][,dilation=1][,bias=true|false][,init=he|xavier])", 6, "conv2d");

    /// <summary>Reads filters, the kernel size (5, 5x3, or kh and kw), stride, padding, dilation, bias and init.</summary>
    public static Conv2d FromSpec(LayerSpec s)
    {
        int filters = s.Int(0, "filters");
        string? kernel = s.Raw(1, "kernel"), kh = s.Raw(-1, "kh"), kw = s.Raw(-1, "kw");
        (int H, int W) k;
        if (kernel is not null)
        {
            if (kh is not null || kw is not null) throw s.Fail("give kernel or kh and kw, not both");
            k = s.Size("kernel", kernel, 1);
        }
        else if (kh is null && kw is null) throw s.Fail("needs kernel (e.g. 5 or 5x3)");
        else k = (s.Int(-1, "kh"), s.Int(-1, "kw"));
        int stride = s.Int(2, "stride", 1);
        string pad = s.Raw(3, "pad")?.ToLowerInvariant() ?? "0";
        bool same = pad == "same";
        var (padH, padW) = same || pad == "valid" ? (0, 0) : s.Size("pad", pad, 0);
        return new Conv2d(filters, k.H, k.W, stride, padH, padW, s.Int(4, "dilation", 1), s.Bool(5, "bias", true), same,
            s.Choice(-1, "init", Initializer.He));
    }

    private Parameter? _weight, _bias;
    private Window2d _g;
    private int _rows; // C * kh * kw: the GEMM's inner dimension
    private Tensor? _x, _y, _dx;
    private float[] _col = [], _product = [];
    private bool _colHoldsBatch;
    private readonly ColumnJob _columns = new();
    private WinogradConvolution? _winograd;
    private DirectConvolution? _direct;

    /// <summary>A convolution with a kh x kw kernel; the arguments become the properties of the same names.</summary>
    /// <param name="filters">Output channels F.</param>
    /// <param name="kernelH">Kernel height, before dilation.</param>
    /// <param name="kernelW">Kernel width, before dilation.</param>
    /// <param name="stride">Step of the window, the same on both axes.</param>
    /// <param name="padH">Zero rows added at the top and at the bottom; ignored with <paramref name="samePadding"/>.</param>
    /// <param name="padW">Zero columns added at the left and at the right; ignored with <paramref name="samePadding"/>.</param>
    /// <param name="dilation">Spacing of the kernel taps, the same on both axes: a kernel k spans dilation (k - 1) + 1 pixels.</param>
    /// <param name="bias">Whether each filter adds a bias.</param>
    /// <param name="samePadding">Pad for an output of ceil(input / stride), worked out from the input size at build.</param>
    /// <param name="init">How the weights are drawn.</param>
    /// <exception cref="ArgumentOutOfRangeException">filters, a kernel side, stride or dilation is below 1, or a padding is negative.</exception>
    public Conv2d(int filters, int kernelH, int kernelW, int stride = 1, int padH = 0, int padW = 0, int dilation = 1,
        bool bias = true, bool samePadding = false, Initializer init = Initializer.He)
    {
        string name = $"conv({filters},{kernelH}x{kernelW})";
        Filters = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), $"{name}: filters must be positive");
        KernelH = kernelH > 0 ? kernelH : throw new ArgumentOutOfRangeException(nameof(kernelH), $"{name}: kernel height must be positive");
        KernelW = kernelW > 0 ? kernelW : throw new ArgumentOutOfRangeException(nameof(kernelW), $"{name}: kernel width must be positive");
        Stride = stride > 0 ? stride : throw new ArgumentOutOfRangeException(nameof(stride), $"{name}: stride must be positive");
        Dilation = dilation > 0 ? dilation : throw new ArgumentOutOfRangeException(nameof(dilation), $"{name}: dilation must be positive");
        if (padH < 0 || padW < 0) throw new ArgumentOutOfRangeException(nameof(padH), $"{name}: padding must be zero or more");
        PadH = samePadding ? 0 : padH;
        PadW = samePadding ? 0 : padW;
        SamePadding = samePadding;
        HasBias = bias;
        Init = init;
    }

    /// <summary>A square kernel with the same padding on every side.</summary>
    public Conv2d(int filters, int kernel, int stride = 1, int pad = 0) : this(filters, kernel, kernel, stride, pad, pad) { }

    /// <summary>Output channels F.</summary>
    public int Filters { get; }

    /// <summary>Kernel height kh in taps (before dilation).</summary>
    public int KernelH { get; }

    /// <summary>Kernel width kw in taps (before dilation).</summary>
    public int KernelW { get; }

    /// <summary>Step of the window on both axes; default 1.</summary>
    public int Stride { get; }

    /// <summary>Zero rows added at the top and at the bottom; 0 with <see cref="SamePadding"/>, whose padding depends on the input.</summary>
    public int PadH { get; }

    /// <summary>Zero columns added at the left and at the right; 0 with <see cref="SamePadding"/>.</summary>
    public int PadW { get; }

    /// <summary>Spacing of the kernel taps on both axes: a kernel k spans dilation (k - 1) + 1 pixels; default 1.</summary>
    public int Dilation { get; }

    /// <summary>Pads so that the output is ceil(input / stride) (TensorFlow's 'same'; PyTorch's for stride 1).</summary>
    public bool SamePadding { get; }

    /// <summary>Whether each filter adds a bias; default true. Without one, <see cref="Bias"/> is null.</summary>
    public bool HasBias { get; }

    /// <summary>How <see cref="Weight"/> is drawn at build (fan-in C kh kw, fan-out F kh kw); default He. The bias starts at 0.</summary>
    public Initializer Init { get; }

    /// <summary>Input channels C. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public int Channels => InputShape[0];

    /// <summary>Where the kernel lands on the input, padding included.</summary>
    internal Window2d Window => _g;

    /// <summary>W, [filters, C, kh, kw]. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public Parameter Weight => _weight ?? throw new InvalidOperationException($"{Label}: not built");

    /// <summary>b, [filters], exempt from weight decay; null before build and when <see cref="HasBias"/> is false.</summary>
    public Parameter? Bias => _bias;

    /// <summary>F x OH x OW x C x kh x kw per sample (the bias add not counted); 0 before build.</summary>
    public override long MultiplyAdds => (long)Filters * _g.OutPlane * _rows;

    /// <summary>
    /// Images lowered side by side into one GEMM: enough for n = images x OH x OW to reach this many columns.
    /// Measured with the packed GEMM on the cnn preset (batch 64, 2 threads, shared machine, best of 25 steps):
    /// conv2 forward + backward took 48 ms with one image per GEMM, 34 ms at 1,600 columns (9 images) and 75 ms
    /// with all 64 images in one GEMM, whose 40 MB column matrix (800 x 12,544 floats) no longer stays in cache.
    /// </summary>
    internal int ColumnsPerGemm { get; set; } = 1600;

    /// <summary>
    /// <c>conv(filters,kernel)</c> with the kernel as <c>5</c> or <c>5x3</c>, adding stride, pad, dilation, bias and init only
    /// where they differ from the defaults.
    /// </summary>
    public override string Spec
    {
        get
        {
            string kernel = KernelH == KernelW ? $"{KernelH}" : $"{KernelH}x{KernelW}";
            string pad = SamePadding ? ",pad=same" : PadH == 0 && PadW == 0 ? "" : PadH == PadW ? $",pad={PadH}" : $",pad={PadH}x{PadW}";
            return $"conv({Filters},{kernel}{(Stride == 1 ? "" : $",stride={Stride}")}{pad}" +
                   $"{(Dilation == 1 ? "" : $",dilation={Dilation}")}{(HasBias ? "" : ",bias=false")}" +
                   $"{(Init == Initializer.He ? "" : $",init={Init.ToString().ToLowerInvariant()}")})";
        }
    }

    /// <summary>[C, H, W] -> [filters, OH, OW]; weight [filters, C, kh, kw], bias [filters].</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        var g = WindowFor(inputShape);
        NamedShape weight = new("weight", [Filters, inputShape[0], KernelH, KernelW]);
        int[] output = [Filters, g.OutH, g.OutW];
        return HasBias ? new LayerShape(output, weight, new NamedShape("bias", [Filters])) : new LayerShape(output, weight);
    }

    private Window2d WindowFor(int[] inputShape)
    {
        if (inputShape.Length != 3) throw Error($"input {Batch(inputShape)} is not an image [N, C, H, W]");
        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        var g = Window2d.Create(h, w, KernelH, KernelW, Stride, PadH, PadW, Dilation, SamePadding);
        if (g.OutH < 1 || g.OutW < 1)
        {
            string dilated = Dilation == 1 ? "" : $" ({KernelH}x{KernelW} dilated by {Dilation})";
            throw Error($"kernel {g.SpanH}x{g.SpanW}{dilated} is larger than the padded input {h + g.PadH}x{w + g.PadW} (input [N, {c}, {h}, {w}])");
        }
        return g;
    }

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        _g = WindowFor(inputShape);
        _rows = c * KernelH * KernelW;
        var weight = new Tensor(Filters, c, KernelH, KernelW);
        Initialization.Fill(Init, weight.Span, fanIn: _rows, fanOut: Filters * KernelH * KernelW, rng);
        _weight = new Parameter("weight", weight);
        _bias = HasBias ? new Parameter("bias", new Tensor(Filters)) { Decays = false } : null;
        Learns(_bias is null ? [_weight] : [_weight, _bias]);
        _winograd = WinogradConvolution.Supports(KernelH, KernelW, Stride, Dilation)
            ? new WinogradConvolution(c, h, w, Filters, KernelH, _g.PadTop, _g.PadLeft, _g.OutH, _g.OutW) : null;
        _direct = DirectConvolution.Supports(Stride, Dilation, _g.OutH, _g.OutW, KernelW)
            ? new DirectConvolution(c, h, w, Filters, KernelH, KernelW, _g.PadTop, _g.PadLeft, _g.OutH, _g.OutW) : null;
    }

    /// <summary>ONNX Conv with the same kernel, strides, dilations and pads ('same' may pad one more at the end).</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) =>
        onnx.Add("Conv", _bias is { } b ? [x, onnx.Weight(Weight), onnx.Weight(b)] : [x, onnx.Weight(Weight)],
            OnnxAttribute.Ints("kernel_shape", KernelH, KernelW), OnnxAttribute.Ints("strides", Stride, Stride),
            OnnxAttribute.Ints("dilations", Dilation, Dilation), Pool2d.OnnxPads(_g));

    /// <summary>null: Winograd where <see cref="WinogradConvolution"/>'s measured rules say it is faster; true or false forces it on (where supported) or off.</summary>
    internal bool? UseWinograd { get; set; }

    /// <summary>null: the direct kernel where <see cref="DirectConvolution.Faster"/> says so; true or false forces it on (where supported) or off.</summary>
    internal bool? UseDirect { get; set; }

    private bool DirectForward => _direct is not null && (UseDirect ?? DirectConvolution.Faster(Channels));
    private bool DirectWeightGradient => _direct is { SupportsWeightGradient: true } && (UseDirect ?? DirectConvolution.Faster(Channels));
    private bool WinogradForward => _winograd is not null && (UseWinograd ?? WinogradConvolution.FasterForward(Channels, _g.OutH, _g.OutW, KernelH));
    private bool WinogradWeightGradient => _winograd is not null && (UseWinograd ?? WinogradConvolution.FasterWeightGradient(Channels, _g.OutH, _g.OutW, KernelH));
    private bool WinogradBackwardData => _winograd is not null && (UseWinograd ?? WinogradConvolution.FasterBackwardData(Channels, _g.OutH, _g.OutW, KernelH));

    /// <summary>
    /// [N, C, H, W] -> [N, F, OH, OW], by the direct kernel, Winograd or im2col + GEMM as the class notes;
    /// <paramref name="training"/> is ignored. Keeps a reference to <paramref name="x"/> (not a copy) for <see cref="Backward"/>.
    /// Throws <see cref="ShapeException"/> when x is not [N, ...InputShape].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _x = x;
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        var algorithm = DirectForward ? ConvolutionAlgorithm.Direct : WinogradForward ? ConvolutionAlgorithm.Winograd : ConvolutionAlgorithm.Im2Col;
        Compute(Engine, algorithm, x, Weight.Value.Span, _bias is null ? [] : _bias.Value.Span, y, relu: false);
        return y;
    }

    /// <summary>The algorithms that can compute this convolution (built layers): im2col always, direct and Winograd where they apply.</summary>
    internal IReadOnlyList<ConvolutionAlgorithm> Algorithms =>
        [ConvolutionAlgorithm.Im2Col, .. _direct is null ? [] : new[] { ConvolutionAlgorithm.Direct },
            .. _winograd is null ? [] : new[] { ConvolutionAlgorithm.Winograd }];

    /// <summary>
    /// y [N, F, OH, OW] = w ⋆ x + b by <paramref name="algorithm"/> on <paramref name="engine"/>, then max(0, y) when
    /// <paramref name="relu"/>; <paramref name="w"/> and <paramref name="b"/> may be other weights of this layer's shape
    /// (an inference plan's, with batch norm folded in). Keeps nothing for Backward. A kernel that prepares its filters
    /// (Winograd) reuses them while <paramref name="filterKey"/> is the object of its last call: the caller promises that
    /// the same key means the same <paramref name="w"/>; null always prepares them.
    /// </summary>
    internal void Compute(Engine engine, ConvolutionAlgorithm algorithm, Tensor x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Tensor y, bool relu, object? filterKey = null)
    {
        int n = x[0], plane = _g.OutPlane, group = ImagesPerGemm(n);
        _colHoldsBatch = false;
        if (algorithm == ConvolutionAlgorithm.Direct)
        {
            _direct!.Forward(engine, x.Span, n, w, b, y.Span, relu);
            return;
        }
        if (algorithm == ConvolutionAlgorithm.Winograd)
        {
            _winograd!.Forward(engine, x.Span, n, w, b, y.Span, relu, filterKey);
            return;
        }
        for (int n0 = 0; n0 < n; n0 += group)
        {
            int count = Math.Min(group, n - n0), ld = count * plane;
            var col = Lower(engine, x, n0, count);
            if (count == 1)
            {
                // One image: the product [F, OH*OW] is already the output's layout.
                var yn = y.Sample(n0);
                Gemm.Multiply(engine, false, false, Filters, plane, _rows, 1f, w, _rows, col, plane, 0f, yn, plane);
                if (!b.IsEmpty)
                    for (int o = 0; o < Filters; o++) TensorPrimitives.Add(yn.Slice(o * plane, plane), b[o], yn.Slice(o * plane, plane));
                if (relu) VectorMath.Relu(yn, yn);
                continue;
            }
            Buffer(ref _product, Filters * ld);
            Gemm.Multiply(engine, false, false, Filters, ld, _rows, 1f, w, _rows, col, ld, 0f, _product, ld);
            // [F, images * OH*OW] -> [images, F, OH*OW], adding the bias on the way.
            _columns.Collect(engine, _product, ld, n0, count, Filters, b, relu, _g, y);
        }
        _colHoldsBatch = group >= n && ReferenceEquals(x, _x);
    }

    /// <summary>
    /// Adds dL/dW and dL/db to the gradients; returns dL/dx [N, C, H, W], or <see cref="Tensor.Empty"/> when
    /// <see cref="Layer.NeedsInputGradient"/> is false. Throws <see cref="InvalidOperationException"/> before any <see cref="Forward(Tensor, bool)"/>.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        var x = _x ?? throw new InvalidOperationException($"{Label}: backward before forward");
        int n = x[0], plane = _g.OutPlane, group = ImagesPerGemm(n);
        // The first learnable layer of a network skips dL/dx: nothing below it learns.
        var dx = NeedsInputGradient ? Tensor.Ensure(ref _dx, n, InputShape) : Tensor.Empty;
        var w = Weight.Value.Span;
        var dw = Weight.Grad.Span;
        if (_bias is not null) _columns.SumBias(Engine, dy, n, Filters, _g, _bias.Grad.Data);
        bool winograd = NeedsInputGradient && WinogradBackwardData;
        if (winograd) _winograd!.BackwardData(Engine, dy.Span, n, w, dx.Span);
        // Columns are only worth building when dL/dx needs them too; otherwise a kernel of its own may do dL/dW
        // (the direct one for the first layer, as the cnn's conv1).
        bool columnsForDx = NeedsInputGradient && !winograd;
        if (!columnsForDx && (DirectWeightGradient || WinogradWeightGradient))
        {
            if (DirectWeightGradient) _direct!.WeightGradient(Engine, x.Span, dy.Span, n, dw);
            else _winograd!.WeightGradient(Engine, x.Span, dy.Span, n, dw);
            _colHoldsBatch = false;
            return dx;
        }
        for (int n0 = 0; n0 < n; n0 += group)
        {
            int count = Math.Min(group, n - n0), ld = count * plane;
            Span<float> col = _colHoldsBatch ? _col.AsSpan(0, _rows * ld) : Lower(Engine, x, n0, count);
            _colHoldsBatch = false;
            Span<float> dyGroup;
            if (count == 1) dyGroup = dy.Sample(n0);
            else
            {
                // [images, F, OH*OW] -> [F, images * OH*OW]
                dyGroup = Buffer(ref _product, Filters * ld);
                _columns.Spread(Engine, dy, n0, count, Filters, _g, _product, ld);
            }
            Gemm.Multiply(Engine, false, true, Filters, _rows, ld, 1f, dyGroup, ld, col, ld, 1f, dw, _rows);
            if (!columnsForDx) continue;
            // dL/dcol overwrites the columns, which are no longer needed.
            Gemm.Multiply(Engine, true, false, _rows, ld, Filters, 1f, w, _rows, dyGroup, ld, 0f, col, ld);
            _columns.Scatter(Engine, _col, ld, n0, count, Channels, _g, dx);
        }
        return dx;
    }

    /// <summary>im2col of images [n0, n0 + count) side by side into the reused column buffer.</summary>
    private Span<float> Lower(Engine engine, Tensor x, int n0, int count)
    {
        int ld = count * _g.OutPlane;
        var col = Buffer(ref _col, _rows * ld);
        _columns.Gather(engine, x, n0, count, Channels, _g, _col, ld);
        return col;
    }

    private int ImagesPerGemm(int n) => Math.Clamp((ColumnsPerGemm - 1) / _g.OutPlane + 1, 1, Math.Max(1, n));

    private static Span<float> Buffer(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
