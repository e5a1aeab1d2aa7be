namespace Dendrite.Kernels;

/// <summary>
/// Winograd on small maps: which maps gather their tiles (see <see cref="WinogradTransforms.InputInPlace"/>), the
/// gather tables, and a one-block weight gradient split over threads by phases.
/// </summary>
internal sealed unsafe partial class WinogradConvolution
{
    private enum Split { None, Transforms, Products, Outputs }
    private Split _split;
    private int _chunks;

    // Fewer blocks than threads (one image, or a weight gradient whose images fit one block: its block count must not
    // follow the thread count, or the partial sums and their rounding would): the block's phases are split instead,
    // where nothing is summed across threads. The input transforms by channels (and the output gradients' by filters),
    // then the 36 products, each ξ whole on one thread, then the output transforms by filters. The same GEMMs and
    // transforms on the same values as one thread doing the block: the same bits.
    private void SplitBlock(Engine engine, int slots)
    {
        var p = _pass;
        (p.N0, p.Count, p.Q) = (0, p.N, p.N * p.TilesH * p.TilesW);
        p.V = p.Slots;
        p.Mt = p.Slots + p.SlotV;
        _pass = p;
        try
        {
            _split = Split.Transforms;
            int units = p.Channels + (p.Gradient ? p.Filters : 0);
            engine.Run(this, _chunks = Math.Min(units, 4 * slots));
            _split = Split.Products;
            engine.Run(this, 36);
            if (p.Gradient) return;
            _split = Split.Outputs;
            engine.Run(this, _chunks = Math.Min(p.Filters, 4 * slots));
        }
        finally
        {
            _split = Split.None;
        }
    }

    // Chunk k of the current phase of a split block. A thread pads planes (rows, not gathered) in its own slot.
    private void SplitPart(int k)
    {
        var p = _pass;
        if (_split == Split.Products)
        {
            Product(p, k, p.Gradient ? p.Partials : p.U);
            return;
        }
        float* padded = p.Slots + (WorkerPool.CurrentIndex % p.SlotCount) * p.SlotSize + p.SlotSize - p.PaddedSize;
        int units = _split == Split.Outputs ? p.Filters : p.Channels + (p.Gradient ? p.Filters : 0);
        int first = (int)((long)k * units / _chunks), end = (int)((long)(k + 1) * units / _chunks);
        if (_split == Split.Outputs)
        {
            (p.C0, p.C1, p.O0, p.O1) = (0, 0, first, end);
            Output(p);
            return;
        }
        (p.C0, p.C1) = (Math.Min(first, p.Channels), Math.Min(end, p.Channels));
        (p.O0, p.O1) = (Math.Max(first - p.Channels, 0), Math.Max(end - p.Channels, 0));
        if (p.C1 > p.C0) Input(p, padded);
        if (p.O1 > p.O0) OutputGradient(p, padded + p.PaddedSize / 2);
    }

    private readonly (Window2d Key, int[] Table)[] _tables = new (Window2d, int[])[4];
    private int _nextTable;

    /// <summary>null: gathered tiles where <see cref="GathersTiles"/> says so; true or false forces them on or off (tests).</summary>
    internal bool? GatherTiles { get; set; }

    /// <summary>
    /// Whether the transforms run over gathered tiles rather than along tile rows: when a tile row fills at most a
    /// quarter of a vector's lanes. Measured with `Dendrite.Benchmarks.dll wino` (one thread, CPU family 25, minimum of
    /// 15 rounds in turn; forward + backward-data + weight gradient): 7x7 maps (2 tiles a row), C = 64: 10.5 ms along
    /// rows, 7.8 ms gathered; 4x4 (1 tile), C = 128: 16.8 / 12.5 ms (before the adjoint ran four filters a vector);
    /// 14x14 (4 tiles), C = 32: 10.2 / 11.1 ms, so half-full vectors stay with the rows.
    /// </summary>
    public static bool GathersTiles(int tilesW) => 4 * tilesW <= WinogradTransforms.Lanes;

    // A window of `size` x `size` moved `m` at a time whose outputs are the tiles: an im2col geometry, so that
    // Im2Col.Offsets and GatherByTable serve as the gather.
    private static Window2d TileWindow(int h, int w, int size, int m, int padTop, int padLeft, int tilesH, int tilesW) => new()
    {
        InH = h, InW = w, KernelH = size, KernelW = size, StrideH = m, StrideW = m, DilationH = 1, DilationW = 1,
        PadTop = padTop, PadLeft = padLeft, PadH = (tilesH - 1) * m + size - h, PadW = (tilesW - 1) * m + size - w,
    };

    // Im2Col.Offsets of a tile window, kept for the last few geometries (forward, backward-data and gradient differ).
    private int[] Table(in Window2d g)
    {
        foreach (var (key, table) in _tables)
            if (table is not null && key == g) return table;
        var made = Im2Col.Offsets(g);
        _tables[_nextTable] = (g, made);
        _nextTable = (_nextTable + 1) % _tables.Length;
        return made;
    }
}
