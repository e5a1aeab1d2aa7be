using System.Numerics.Tensors;

namespace Dendrite.Kernels;

/// <summary>
/// The arithmetic of a locally connected layer: a convolution whose weights are not shared, so output position p has
/// its own filter bank W[p] in [F, R] (R = C kh kw). Each sample's windows are gathered into rows, xt[n, p, :] (the
/// transpose of im2col's columns, so one position's window is contiguous), and then
/// y[n, f, p] = b[f, p] + W[p, f, :] · xt[n, p, :];
/// dW[p, f, :] += sum over n of dy[n, f, p] xt[n, p, :]; db[f, p] += sum over n of dy[n, f, p];
/// dxt[n, p, :] = sum over f of dy[n, f, p] W[p, f, :], scattered back onto the image (col2im).
/// Work is split by position (forward and weight gradient) or by sample (gather, scatter): every output value is
/// written by one thread in a fixed order, so results do not depend on the thread count.
/// </summary>
internal sealed class LocalConnection(int channels, Window2d window, int filters)
{
    private readonly Job _job = new();

    public int Rows { get; } = channels * window.KernelArea;
    public int Positions => window.OutPlane;

    /// <summary>xt[n, p, r] = x[n, c, oy*s - pad + i, ox*s - pad + j] for r = (c*kh + i)*kw + j, zero in the padding.</summary>
    public void Gather(Engine engine, ReadOnlySpan<float> x, int n, Span<float> xt) =>
        Run(engine, Op.Gather, n, x, xt, [], [], [], n);

    /// <summary>y [N, F, P] from xt [N, P, R], w [P, F, R] and b [F, P] (empty for none).</summary>
    public void Forward(Engine engine, ReadOnlySpan<float> xt, int n, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y) =>
        Run(engine, Op.Forward, n, xt, y, w, b, [], Positions);

    /// <summary>Adds dL/dW [P, F, R] and dL/db [F, P] (empty for none) from dy [N, F, P] and xt.</summary>
    public void WeightGradient(Engine engine, ReadOnlySpan<float> xt, ReadOnlySpan<float> dy, int n, Span<float> dw, Span<float> db) =>
        Run(engine, Op.WeightGradient, n, xt, dw, dy, [], db, Positions);

    /// <summary>dL/dx [N, C, H, W] from dy and w, using <paramref name="dxt"/> [N, P, R] as a workspace.</summary>
    public void InputGradient(Engine engine, ReadOnlySpan<float> dy, int n, ReadOnlySpan<float> w, Span<float> dxt, Span<float> dx)
    {
        Run(engine, Op.RowGradient, n, dy, dxt, w, [], [], Positions);
        Run(engine, Op.Scatter, n, dxt, dx, [], [], [], n);
    }

    private enum Op { Gather, Forward, WeightGradient, RowGradient, Scatter }

    // A span cannot live in the job object the worker threads read, so the call pins the memory and hands over pointers
    // (as DirectConvolution does); the pins hold until every chunk has run.
    private unsafe void Run(Engine engine, Op op, int n, ReadOnlySpan<float> a, Span<float> output, ReadOnlySpan<float> b,
        ReadOnlySpan<float> c, Span<float> output2, int items)
    {
        fixed (float* pa = a, po = output, pb = b, pc = c, po2 = output2)
        {
            _job.Set(this, op, n, pa, a.Length, po, output.Length, pb, b.Length, pc, c.Length, po2, output2.Length);
            int chunks = Math.Min(items, Math.Max(1, engine.Threads * 4));
            _job.Items = items;
            _job.Chunks = chunks;
            engine.Run(_job, chunks);
        }
    }

    private void Execute(Op op, int n, int from, int to, ReadOnlySpan<float> a, Span<float> o, ReadOnlySpan<float> b,
        ReadOnlySpan<float> c, Span<float> o2)
    {
        int p = Positions, r = Rows;
        switch (op)
        {
            case Op.Gather:
                for (int s = from; s < to; s++) GatherSample(a.Slice(s * channels * window.InPlane, channels * window.InPlane), o.Slice(s * p * r, p * r));
                break;
            case Op.Forward:
                // a = xt, b = w, c = bias, o = y
                for (int q = from; q < to; q++)
                    for (int s = 0; s < n; s++)
                    {
                        var row = a.Slice((s * p + q) * r, r);
                        for (int f = 0; f < filters; f++)
                            o[(s * filters + f) * p + q] = TensorPrimitives.Dot(b.Slice((q * filters + f) * r, r), row) + (c.IsEmpty ? 0f : c[f * p + q]);
                    }
                break;
            case Op.WeightGradient:
                // a = xt, b = dy, o = dw, o2 = db
                for (int q = from; q < to; q++)
                    for (int s = 0; s < n; s++)
                    {
                        var row = a.Slice((s * p + q) * r, r);
                        for (int f = 0; f < filters; f++)
                        {
                            float g = b[(s * filters + f) * p + q];
                            if (!o2.IsEmpty) o2[f * p + q] += g;
                            if (g == 0f) continue;
                            var dw = o.Slice((q * filters + f) * r, r);
                            TensorPrimitives.MultiplyAdd(row, g, dw, dw);
                        }
                    }
                break;
            case Op.RowGradient:
                // a = dy, b = w, o = dxt
                for (int q = from; q < to; q++)
                    for (int s = 0; s < n; s++)
                    {
                        var dxt = o.Slice((s * p + q) * r, r);
                        dxt.Clear();
                        for (int f = 0; f < filters; f++)
                        {
                            float g = a[(s * filters + f) * p + q];
                            if (g != 0f) TensorPrimitives.MultiplyAdd(b.Slice((q * filters + f) * r, r), g, dxt, dxt);
                        }
                    }
                break;
            case Op.Scatter:
                for (int s = from; s < to; s++) ScatterSample(a.Slice(s * p * r, p * r), o.Slice(s * channels * window.InPlane, channels * window.InPlane));
                break;
        }
    }

    private void GatherSample(ReadOnlySpan<float> image, Span<float> xt)
    {
        var g = window;
        int r = Rows;
        for (int oy = 0; oy < g.OutH; oy++)
            for (int ox = 0; ox < g.OutW; ox++)
            {
                var row = xt.Slice((oy * g.OutW + ox) * r, r);
                int k = 0;
                for (int ch = 0; ch < channels; ch++)
                    for (int i = 0; i < g.KernelH; i++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                        for (int j = 0; j < g.KernelW; j++, k++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + j * g.DilationW;
                            row[k] = iy >= 0 && iy < g.InH && ix >= 0 && ix < g.InW ? image[(ch * g.InH + iy) * g.InW + ix] : 0f;
                        }
                    }
            }
    }

    private void ScatterSample(ReadOnlySpan<float> dxt, Span<float> image)
    {
        var g = window;
        int r = Rows;
        image.Clear();
        for (int oy = 0; oy < g.OutH; oy++)
            for (int ox = 0; ox < g.OutW; ox++)
            {
                var row = dxt.Slice((oy * g.OutW + ox) * r, r);
                int k = 0;
                for (int ch = 0; ch < channels; ch++)
                    for (int i = 0; i < g.KernelH; i++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                        for (int j = 0; j < g.KernelW; j++, k++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + j * g.DilationW;
                            if (iy >= 0 && iy < g.InH && ix >= 0 && ix < g.InW) image[(ch * g.InH + iy) * g.InW + ix] += row[k];
                        }
                    }
            }
    }

    /// <summary>One call's work cut into contiguous ranges of positions or samples.</summary>
    private sealed unsafe class Job : IParallelJob
    {
        private LocalConnection? _owner;
        private Op _op;
        private int _n;
        private float* _a, _o, _b, _c, _o2;
        private int _aLength, _oLength, _bLength, _cLength, _o2Length;

        public int Items { get; set; }
        public int Chunks { get; set; }

        public void Set(LocalConnection owner, Op op, int n, float* a, int aLength, float* o, int oLength, float* b, int bLength,
            float* c, int cLength, float* o2, int o2Length)
        {
            (_owner, _op, _n) = (owner, op, n);
            _a = a; _o = o; _b = b; _c = c; _o2 = o2;
            (_aLength, _oLength, _bLength, _cLength, _o2Length) = (aLength, oLength, bLength, cLength, o2Length);
        }

        public void Execute(int chunk)
        {
            int from = (int)((long)Items * chunk / Chunks), to = (int)((long)Items * (chunk + 1) / Chunks);
            _owner!.Execute(_op, _n, from, to, new ReadOnlySpan<float>(_a, _aLength), new Span<float>(_o, _oLength),
                new ReadOnlySpan<float>(_b, _bLength), new ReadOnlySpan<float>(_c, _cLength), new Span<float>(_o2, _o2Length));
        }
    }
}
