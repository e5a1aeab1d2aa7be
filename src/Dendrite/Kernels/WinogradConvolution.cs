namespace Dendrite.Kernels;

/// <summary>
/// Stride-1 convolution of [N, C, H, W] images with [O, C, r, r] filters (r = 5 or 3) by Winograd minimal filtering,
/// F(2x2, 5x5) or F(4x4, 3x3): every 6x6 input tile d and filter g meet as Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, which costs
/// 36 multiplies per tile instead of 100 (5x5) or 144 (3x3). Summed over channels, the elementwise products become
/// 36 GEMMs M_ξ [O, tiles] = U_ξ [O, C] x V_ξ [C, tiles], one per tile element ξ, with the tiles of a block of
/// images side by side. Forward: y = w ⋆ x + b. Backward-data: dx = dy ⋆ rot180(w)ᵀ, the same machinery with the
/// turned, transposed filters and padding r - 1 - pad. Weight gradient: the adjoint, dU_ξ = sum over tiles of
/// (A dY Aᵀ)_ξ (Bᵀ d B)_ξ and dw += Gᵀ dU G. Owns its buffers: no allocation once they have grown.
/// </summary>
internal sealed unsafe partial class WinogradConvolution : IParallelJob
{
    private float[] _u = [], _uBack = [], _du = [], _slots = [], _partials = [];
    private object? _uKey; // the filterKey _u was transformed for (see Forward)

    /// <param name="channels">Input channels C.</param>
    /// <param name="height">Input height H.</param>
    /// <param name="width">Input width W.</param>
    /// <param name="filters">Output channels O.</param>
    /// <param name="kernel">Filter size r: 3 or 5 (square filters only).</param>
    /// <param name="padTop">Input rows above the image that the first output row sees (may differ from the bottom's).</param>
    /// <param name="padLeft">Input columns left of the image that the first output column sees (may differ from the right's).</param>
    /// <param name="outH">Output height.</param>
    /// <param name="outW">Output width.</param>
    /// <exception cref="ArgumentOutOfRangeException">kernel is not 3 or 5.</exception>
    /// <exception cref="ArgumentException">A size is less than 1.</exception>
    public WinogradConvolution(int channels, int height, int width, int filters, int kernel, int padTop, int padLeft, int outH, int outW)
    {
        if (kernel != 3 && kernel != 5) throw new ArgumentOutOfRangeException(nameof(kernel), $"winograd: kernel {kernel}x{kernel}, supported are 3x3 and 5x5");
        if (channels < 1 || filters < 1 || height < 1 || width < 1 || outH < 1 || outW < 1)
            throw new ArgumentException($"winograd: input [N, {channels}, {height}, {width}], {filters} filters, output {outH}x{outW}");
        (Channels, Height, Width, Filters, Kernel) = (channels, height, width, filters, kernel);
        (PadTop, PadLeft, OutH, OutW) = (padTop, padLeft, outH, outW);
    }

    /// <summary>Whether a convolution with these settings can use this kernel.</summary>
    public static bool Supports(int kernelH, int kernelW, int stride, int dilation) =>
        stride == 1 && dilation == 1 && kernelH == kernelW && (kernelH == 3 || kernelH == 5);

    /// <summary>
    /// Whether the Winograd forward beats im2col + GEMM, by a rule from measurements on [64, C, 14, 14] and
    /// [64, C, 28, 28] with 5x5 kernels (packed GEMM, one thread): with C = 4 input channels im2col wins
    /// (Winograd 0.76x, 0.91x), from C = 8 Winograd does (1.34x-1.38x; 2.3x at C = 32). A single input channel
    /// (the cnn's conv1) makes each of the 36 products an outer product: 0.37x.
    /// </summary>
    public static bool FasterForward(int channels, int outH, int outW, int kernel) => channels >= 8 && EnoughTiles(outH, outW, kernel);

    /// <summary>
    /// Whether the Winograd backward-data beats im2col: its GEMMs have m = C (input channels), which must not be
    /// narrow. Measured as above: C = 8 with 64 filters 0.70x (14x14) and 0.86x (28x28), C = 16 1.04x and 1.38x,
    /// C = 32 1.6x, C = 64 with 4 or 8 filters 3.3x-3.8x.
    /// </summary>
    public static bool FasterBackwardData(int channels, int outH, int outW, int kernel) => channels >= 16 && EnoughTiles(outH, outW, kernel);

    /// <summary>
    /// Whether the Winograd weight gradient beats im2col's dY colᵀ. Measured as above: C = 4 0.64x / 0.53x
    /// (14x14 / 28x28), C = 8 0.91x / 0.66x, C = 16 1.27x / 0.94x, C = 32 1.35x (the cnn's conv2) and 1.45x,
    /// C = 64 with 4 or 8 filters 3.5x-3.9x.
    /// </summary>
    public static bool FasterWeightGradient(int channels, int outH, int outW, int kernel) => channels >= 32 && EnoughTiles(outH, outW, kernel);

    /// <summary>
    /// Whether training uses Winograd on an output map of this size: at least 64 outputs, and tiles that at least
    /// halve the multiplies (36 per tile against r x r per output; a 2x2 map in one 4x4 tile saves none).
    /// With the transforms over gathered tiles, smaller maps measure faster too: `Dendrite.Benchmarks.dll wino C S C 64 2`
    /// (forward, backward-data and weight gradient against im2col's training forward plus backward, 2 threads, medians
    /// of 20 rounds in turn, CPU family 25, 3 Dec 2026) gave 6.0 / 10.5 ms at C = 64, 7x7 and 8.9 / 13.3 ms at C = 128,
    /// 4x4; losing: C = 128 at 3x3 and C = 256 at 2x2 (one thread: 9.3 / 7.7 and 40 / 15 ms). Inside the resnet preset's
    /// step (`train-layers resnet 2 64 15`) the 7x7 convolutions went from 7.2-7.4 to 4.7-5.3 ms, but the 4x4 ones from
    /// 6.3-6.8 to 6.5-8.2 ms, and the whole step did not measurably change on this host. Switching changes the trained
    /// bits of every network with such maps: the resnet preset, 15 epochs, gave 93.77% where it gives 94.00% (the
    /// open-library issue's bar is 94.0). So training keeps the 64-output threshold; the inference plan is not bound
    /// by it (it times every algorithm on the layer's own shape).
    /// </summary>
    public static bool EnoughTiles(int outH, int outW, int kernel)
    {
        int m = kernel == 5 ? 2 : 4, tiles = (outH + m - 1) / m * ((outW + m - 1) / m);
        return outH * outW >= 64 && 2L * 36 * tiles <= (long)kernel * kernel * outH * outW;
    }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Filters { get; }
    public int Kernel { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int OutH { get; }
    public int OutW { get; }

    /// <summary>y [n, O, OH, OW] = w ⋆ x + bias (bias may be empty) for x [n, C, H, W], w [O, C, r, r]; then max(0, y) when <paramref name="relu"/>; on <paramref name="engine"/>'s threads. The filters transformed by the last call are reused when <paramref name="filterKey"/> is that call's key (not null).</summary>
    public void Forward(Engine engine, ReadOnlySpan<float> x, int n, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, bool relu = false, object? filterKey = null)
    {
        Check("x", x.Length, n, Channels, Height, Width);
        Check("y", y.Length, n, Filters, OutH, OutW);
        CheckWeight(weight.Length);
        if (!bias.IsEmpty && bias.Length != Filters) throw new ArgumentException($"winograd: bias has {bias.Length} values, expected {Filters}");
        // The transformed filters of the last call serve again while the caller's key says the weights are the same.
        bool prepared = filterKey is not null && ReferenceEquals(filterKey, _uKey) && _u.Length >= 36 * Filters * Channels;
        var u = Grow(ref _u, 36 * Filters * Channels);
        if (!prepared) TransformFilters(engine, weight, rotate: false, u);
        _uKey = filterKey;
        Correlate(engine, x, n, Channels, Height, Width, PadTop, PadLeft, u, Filters, OutH, OutW, bias, y, relu: relu);
    }

    /// <summary>dx [n, C, H, W] = dL/dx for dy = dL/dy [n, O, OH, OW] (overwritten, not accumulated).</summary>
    public void BackwardData(Engine engine, ReadOnlySpan<float> dy, int n, ReadOnlySpan<float> weight, Span<float> dx)
    {
        Check("dy", dy.Length, n, Filters, OutH, OutW);
        Check("dx", dx.Length, n, Channels, Height, Width);
        CheckWeight(weight.Length);
        var u = Grow(ref _uBack, 36 * Filters * Channels);
        TransformFilters(engine, weight, rotate: true, u);
        int back = Kernel - 1;
        Correlate(engine, dy, n, Filters, OutH, OutW, back - PadTop, back - PadLeft, u, Channels, Height, Width, [], dx);
    }

    /// <summary>
    /// dw [O, C, r, r] += dL/dw for x [n, C, H, W] and dy = dL/dy [n, O, OH, OW]. The adjoint of the forward in the
    /// Winograd domain: dU_ξ [O, C] = sum over tiles of (A dY Aᵀ)_ξ (Bᵀ d B)_ξ, 36 GEMMs with the tiles as their
    /// inner dimension, then dw += Gᵀ dU G.
    /// </summary>
    public void WeightGradient(Engine engine, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, Span<float> dw)
    {
        Check("x", x.Length, n, Channels, Height, Width);
        Check("dy", dy.Length, n, Filters, OutH, OutW);
        CheckWeight(dw.Length);
        var du = Grow(ref _du, 36 * Filters * Channels);
        du.Clear();
        // Only read in gradient mode.
        var dyRead = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(dy), dy.Length);
        Correlate(engine, x, n, Channels, Height, Width, PadTop, PadLeft, du, Filters, OutH, OutW, [], dyRead, gradient: true);
        AdjointFilters(engine, du, dw);
    }

    // y[b, o, oy, ox] = bias[o] + sum over c, i, j of w[o, c, i, j] x[b, c, oy - padTop + i, ox - padLeft + j], with
    // u the transformed w; channels and filters are the GEMMs' k and m. The images are cut into blocks and each block
    // goes through input transform, 36 products and output transform on one thread, in that thread's own buffers:
    // one dispatch per call, and no data written by one core and read by the other (see KernelSettings.WinogradImageBudget).
    // With gradient: y is read as dL/dy, each block sums its tiles' (A dY Aᵀ)_ξ (Bᵀ d B)_ξᵀ into a dU of its own,
    // and u += those partial sums, added in block order.
    private void Correlate(Engine engine, ReadOnlySpan<float> x, int n, int channels, int h, int w, int padTop, int padLeft,
        Span<float> u, int filters, int outH, int outW, ReadOnlySpan<float> bias, Span<float> y, bool gradient = false, bool relu = false)
    {
        var p = new Pass { Engine = engine, Relu = relu, Gradient = gradient, Channels = channels, H = h, W = w, PadTop = padTop, PadLeft = padLeft, Filters = filters, OutH = outH, OutW = outW };
        p.M = Kernel == 5 ? 2 : 4;
        p.TilesH = (outH + p.M - 1) / p.M;
        p.TilesW = (outW + p.M - 1) / p.M;
        int tiles = p.TilesH * p.TilesW;
        p.Gathered = GatherTiles ?? GathersTiles(p.TilesW);
        p.Len = (p.TilesW + WinogradTransforms.Lanes - 1) / WinogradTransforms.Lanes * WinogradTransforms.Lanes + 2;
        p.Rows = p.M * (p.TilesH - 1) + 6;
        p.PaddedSize = 2 * p.Rows * p.M * p.Len; // an input plane, then an output-gradient plane
        int slots = engine.Threads, budget = engine.Settings.WinogradImageBudget;
        long needed = ((long)n * 36 * (channels + filters) * tiles + budget - 1) / budget;
        // Forward and backward-data: a multiple of the thread count, so each thread gets as many images (blocking
        // changes no value there). Weight gradient: never from the thread count, which would regroup the partial
        // sums and with them the rounding; results stay bit-identical for any thread count.
        if (!gradient) needed = (needed + slots - 1) / slots * slots;
        int blocks = Math.Max(1, (int)Math.Min(n, needed));
        // Fewer blocks than threads (see SplitBlock): one block, its phases split, when the products are worth a dispatch.
        bool split = slots > 1 && (gradient ? blocks == 1 : blocks < slots)
            && 36L * n * tiles * channels * filters >= engine.Settings.GemmParallelThreshold;
        if (split) blocks = 1;
        p.Ld = RowStride((n + blocks - 1) / blocks * tiles);
        long vSize = (long)channels * 36 * p.Ld, mSize = (long)filters * 36 * p.Ld;
        p.SlotSize = vSize + mSize + p.PaddedSize;
        var scratch = Grow(ref _slots, checked((int)(slots * p.SlotSize)));
        int partial = 36 * filters * channels;
        var partials = gradient ? Grow(ref _partials, checked(blocks * partial)) : [];
        p.Blocks = blocks;
        p.N = n;
        p.SlotV = vSize;
        p.SlotCount = slots;
        // Gathered tiles: where each tile's 36 inputs and m x m outputs are in the planes (see WinogradTransforms.Gathered).
        var inWindow = TileWindow(h, w, 6, p.M, padTop, padLeft, p.TilesH, p.TilesW);
        var outWindow = TileWindow(outH, outW, p.M, p.M, 0, 0, p.TilesH, p.TilesW);
        int[] inTable = p.Gathered ? Table(inWindow) : [], outTable = p.Gathered ? Table(outWindow) : [];
        (p.InWindow, p.OutWindow) = (inWindow, outWindow);
        fixed (float* px = x, py = y, pb = bias, pu = u, ps = scratch, pd = partials)
        fixed (int* pin = inTable, pout = outTable)
        {
            p.InTable = pin;
            p.OutTable = pout;
            p.U = pu;
            p.X = px;
            p.Y = py;
            p.Bias = pb;
            p.Slots = ps;
            p.Partials = pd;
            for (int slot = 0; slot < slots; slot++)
                WinogradTransforms.ClearPadded(ps + slot * p.SlotSize + vSize + mSize, p.M, 2 * p.Rows, p.Len);
            _pass = p;
            if (split) SplitBlock(engine, slots);
            else if (slots == 1 || blocks == 1 || !engine.Pool.TryRun(this, blocks, slots))
            {
                _serial = true; // the calling thread uses slot 0, whichever pool index it has
                for (int b = 0; b < blocks; b++) Execute(b);
                _serial = false;
            }
        }
        _pass = default;
        if (!gradient) return;
        var sum = u[..partial];
        for (int b = 0; b < blocks; b++) System.Numerics.Tensors.TensorPrimitives.Add(sum, partials.Slice(b * partial, partial), sum);
    }

    private Pass _pass;
    private bool _serial;

    /// <summary>One chunk: one block of images, on whichever thread claims it.</summary>
    void IParallelJob.Execute(int chunk) => Execute(chunk);

    internal void Execute(int chunk)
    {
        if (_split != Split.None)
        {
            SplitPart(chunk);
            return;
        }
        var p = _pass;
        int slot = _serial ? 0 : WorkerPool.CurrentIndex;
        float* scratch = p.Slots + slot * p.SlotSize;
        (p.C0, p.C1, p.O0, p.O1) = (0, p.Channels, 0, p.Filters);
        p.N0 = chunk * p.N / p.Blocks;
        p.Count = (chunk + 1) * p.N / p.Blocks - p.N0;
        p.Q = p.Count * (p.TilesH * p.TilesW);
        p.V = scratch;
        p.Mt = scratch + p.SlotV;
        float* padded = scratch + p.SlotSize - p.PaddedSize;
        Input(p, padded);
        if (p.Gradient)
        {
            OutputGradient(p, padded + p.PaddedSize / 2);
            float* du = p.Partials + (long)chunk * 36 * p.Filters * p.Channels;
            for (int xi = 0; xi < 36; xi++) Product(p, xi, du);
            return;
        }
        for (int xi = 0; xi < 36; xi++) Product(p, xi, p.U);
        Output(p);
    }

    // Product ξ: M_ξ [O, q] = U_ξ [O, C] V_ξ [C, q] with u the transformed filters, or for the weight gradient the
    // block's dU_ξ [O, C] = M_ξ V_ξᵀ into u, that block's partial sum.
    private static void Product(in Pass p, int xi, float* u)
    {
        int q = p.Q, channels = p.Channels, filters = p.Filters, stride = 36 * p.Ld;
        var uXi = new Span<float>(u + (long)xi * filters * channels, filters * channels);
        var v = new ReadOnlySpan<float>(p.V + (long)xi * p.Ld, (channels - 1) * stride + q);
        var mt = new Span<float>(p.Mt + (long)xi * p.Ld, (filters - 1) * stride + q);
        if (p.Gradient) Gemm.Multiply(p.Engine, false, true, filters, channels, q, 1f, mt, stride, v, stride, 0f, uXi, channels);
        else Gemm.Multiply(p.Engine, false, false, filters, q, channels, 1f, uXi, channels, v, stride, 0f, mt, stride);
    }

    // V of the block's images, through one padded plane, or gathered and transformed in place.
    private static void Input(in Pass p, float* padded)
    {
        int inPlane = p.H * p.W, tiles = p.TilesH * p.TilesW, stride = 36 * p.Ld;
        int channels = p.C1 - p.C0;
        if (p.Gathered)
        {
            var table = new ReadOnlySpan<int>(p.InTable, 36 * tiles);
            var v = new Span<float>(p.V + (long)p.C0 * stride, (channels * 36 - 1) * p.Ld + p.Q);
            for (int i = 0; i < p.Count; i++)
                Im2Col.GatherByTable(new ReadOnlySpan<float>(p.X + ((long)(p.N0 + i) * p.Channels + p.C0) * inPlane, channels * inPlane),
                    channels, p.InWindow, table, v, p.Ld, i * tiles, channelRows: 36);
            for (int c = p.C0; c < p.C1; c++) WinogradTransforms.InputInPlace(p.V + (long)c * stride, p.Ld, p.Q);
            return;
        }
        for (int c = p.C0; c < p.C1; c++)
            for (int i = 0; i < p.Count; i++)
            {
                WinogradTransforms.Pad(p.X + ((long)(p.N0 + i) * p.Channels + c) * inPlane, p.H, p.W, p.PadTop, p.PadLeft, p.M, p.Rows, p.Len, padded);
                WinogradTransforms.Input(padded, p.M, p.Len, p.TilesH, p.TilesW, p.V + (long)c * stride + i * tiles, p.Ld);
            }
    }

    // A dY Aᵀ of the block's output gradients (the weight gradient's second operand).
    private static void OutputGradient(in Pass p, float* padded)
    {
        int outPlane = p.OutH * p.OutW, tiles = p.TilesH * p.TilesW, stride = 36 * p.Ld;
        if (p.Gathered)
        {
            int filters = p.O1 - p.O0;
            var table = new ReadOnlySpan<int>(p.OutTable, p.M * p.M * tiles);
            var mt = new Span<float>(p.Mt + (long)p.O0 * stride, (filters * 36 - 1) * p.Ld + p.Q);
            for (int i = 0; i < p.Count; i++)
                Im2Col.GatherByTable(new ReadOnlySpan<float>(p.Y + ((long)(p.N0 + i) * p.Filters + p.O0) * outPlane, filters * outPlane),
                    filters, p.OutWindow, table, mt, p.Ld, i * tiles, channelRows: 36);
            for (int o = p.O0; o < p.O1; o++)
                if (p.M == 2) WinogradTransforms.OutputGradientInPlace<WinogradTransforms.Tile2>(p.Mt + (long)o * stride, p.Ld, p.Q);
                else WinogradTransforms.OutputGradientInPlace<WinogradTransforms.Tile4>(p.Mt + (long)o * stride, p.Ld, p.Q);
            return;
        }
        for (int o = p.O0; o < p.O1; o++)
            for (int i = 0; i < p.Count; i++)
            {
                WinogradTransforms.Pad(p.Y + ((long)(p.N0 + i) * p.Filters + o) * outPlane, p.OutH, p.OutW, 0, 0, p.M, p.M * p.TilesH, p.Len, padded);
                float* dst = p.Mt + (long)o * stride + i * tiles;
                if (p.M == 2) WinogradTransforms.OutputGradient<WinogradTransforms.Tile2>(padded, p.Len, p.TilesH, p.TilesW, dst, p.Ld);
                else WinogradTransforms.OutputGradient<WinogradTransforms.Tile4>(padded, p.Len, p.TilesH, p.TilesW, dst, p.Ld);
            }
    }

    // y of the block's images: Aᵀ M A + bias, rectified when asked.
    private static void Output(in Pass p)
    {
        int outPlane = p.OutH * p.OutW, tiles = p.TilesH * p.TilesW, stride = 36 * p.Ld;
        if (p.Gathered)
        {
            for (int o = p.O0; o < p.O1; o++)
            {
                float b = p.Bias == null ? 0f : p.Bias[o];
                float* mt = p.Mt + (long)o * stride, y = p.Y + ((long)p.N0 * p.Filters + o) * outPlane;
                if (p.M == 2) WinogradTransforms.OutputScattered<WinogradTransforms.Tile2>(mt, p.Ld, p.Q, tiles, p.OutTable, b, y, (long)p.Filters * outPlane, p.Relu);
                else WinogradTransforms.OutputScattered<WinogradTransforms.Tile4>(mt, p.Ld, p.Q, tiles, p.OutTable, b, y, (long)p.Filters * outPlane, p.Relu);
            }
            return;
        }
        for (int o = p.O0; o < p.O1; o++)
        {
            float b = p.Bias == null ? 0f : p.Bias[o];
            for (int i = 0; i < p.Count; i++)
            {
                float* src = p.Mt + (long)o * stride + i * tiles, dst = p.Y + ((long)(p.N0 + i) * p.Filters + o) * outPlane;
                if (p.M == 2) WinogradTransforms.Output<WinogradTransforms.Tile2>(src, p.Ld, p.TilesH, p.TilesW, b, dst, p.OutH, p.OutW, p.Relu);
                else WinogradTransforms.Output<WinogradTransforms.Tile4>(src, p.Ld, p.TilesH, p.TilesW, b, dst, p.OutH, p.OutW, p.Relu);
            }
        }
    }

    /// <summary>Geometry and pinned buffers of the block being transformed.</summary>
    private struct Pass
    {
        public int N0, Count, Q, N, Blocks;
        public int C0, C1, O0, O1; // the channels and filters this call transforms (a split block's part)
        public int SlotCount;
        public long SlotSize, SlotV;
        public bool Relu, Gradient, Gathered;
        public Window2d InWindow, OutWindow;
        public int* InTable, OutTable;
        public int Channels, H, W, PadTop, PadLeft, Filters, OutH, OutW;
        public int M, TilesH, TilesW, Len, Rows, Ld, PaddedSize;
        public float* X, Y, Bias, V, Mt, U, Slots, Partials;
        public Engine Engine;
    }

    /// <summary>
    /// Floats from one tile element's row to the next: room for q values plus the 8 a tile row's last vector may
    /// spill, rounded to an odd number of 64-byte lines, so the 36 rows a transform touches at once fall into 36
    /// different L1 sets (with a power-of-two multiple they shared one set and the output transform ran 4x slower).
    /// </summary>
    internal static int RowStride(int q)
    {
        int lines = (q + 8 + 15) / 16;
        return (lines | 1) * 16;
    }

    private void Check(string name, int length, int n, int c, int h, int w)
    {
        if (n < 0 || length < (long)n * c * h * w)
            throw new ArgumentException($"winograd: {name} has {length} values, [{n}, {c}, {h}, {w}] needs {(long)n * c * h * w}");
    }

    private void CheckWeight(int length)
    {
        if (length != Filters * Channels * Kernel * Kernel)
            throw new ArgumentException($"winograd: weight has {length} values, [{Filters}, {Channels}, {Kernel}, {Kernel}] needs {Filters * Channels * Kernel * Kernel}");
    }

    private static Span<float> Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
