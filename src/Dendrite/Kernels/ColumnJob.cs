using System.Numerics.Tensors;

namespace Dendrite.Kernels;

/// <summary>
/// The per-image copies around a convolution's grouped GEMM, spread over an engine's threads: im2col of each image
/// into its columns, col2im back, and the moves between the batch layout [images, F, plane] and the GEMM's
/// [F, images x plane]. Each image's part is written by one thread and nothing is summed across images, so the split
/// never changes a result. On small maps these copies cost as much as the GEMMs (measured on the resnet preset's
/// [64, 128, 4, 4] convolution: 12 of its 18 ms, one thread), so they must not run on one thread while the GEMMs use all.
/// Owns only the bias copy it grows once; everything else is borrowed for the length of one call.
/// </summary>
internal sealed class ColumnJob : IParallelJob
{
    private enum Step { Gather, Scatter, Collect, Spread, BiasSum }

    // Below this many floats moved in all, one thread does the work: waking the pool costs more.
    private const int ParallelFloats = 1 << 14;

    private Step _step;
    private float[] _batch = [], _matrix = [], _bias = [];
    private int _first, _ld, _channels, _filters, _images, _chunks;
    private bool _hasBias, _relu;
    private Window2d _g;
    private int[]? _offsets; // Im2Col.Offsets of _offsetsFor, built once per geometry
    private Window2d _offsetsFor;

    /// <summary>col[:, i*plane ...] = im2col(x[first + i]) for i &lt; count (see <see cref="Im2Col.Gather"/>); col has leading dimension ld.</summary>
    public void Gather(Engine engine, Tensor x, int first, int count, int channels, in Window2d g, float[] col, int ld)
    {
        (_step, _batch, _matrix, _first, _ld, _channels, _g) = (Step.Gather, x.Data, col, first, ld, channels, g);
        PrepareOffsets();
        Run(engine, count, channels * g.KernelArea * g.OutPlane);
    }

    /// <summary>dx[first + i] = col2im(col[:, i*plane ...]) for i &lt; count (see <see cref="Im2Col.ScatterAdd"/>).</summary>
    public void Scatter(Engine engine, float[] col, int ld, int first, int count, int channels, in Window2d g, Tensor dx)
    {
        (_step, _batch, _matrix, _first, _ld, _channels, _g) = (Step.Scatter, dx.Data, col, first, ld, channels, g);
        PrepareOffsets();
        Run(engine, count, channels * g.KernelArea * g.OutPlane);
    }

    /// <summary>
    /// y[first + i, o] = product[o, i*plane ...] + b[o] (b may be empty), then max(0, ·) when <paramref name="relu"/>,
    /// for i &lt; count: the GEMM's [F, images x plane] back to the batch layout.
    /// </summary>
    public void Collect(Engine engine, float[] product, int ld, int first, int count, int filters, ReadOnlySpan<float> b, bool relu, in Window2d g, Tensor y)
    {
        if (_bias.Length < b.Length) _bias = new float[b.Length];
        b.CopyTo(_bias);
        (_step, _batch, _matrix, _first, _ld, _filters, _g) = (Step.Collect, y.Data, product, first, ld, filters, g);
        (_hasBias, _relu) = (!b.IsEmpty, relu);
        Run(engine, count, filters * g.OutPlane);
    }

    /// <summary>matrix[o, i*plane ...] = dy[first + i, o] for i &lt; count: the batch layout to the GEMM's [F, images x plane].</summary>
    public void Spread(Engine engine, Tensor dy, int first, int count, int filters, in Window2d g, float[] matrix, int ld)
    {
        (_step, _batch, _matrix, _first, _ld, _filters, _g) = (Step.Spread, dy.Data, matrix, first, ld, filters, g);
        Run(engine, count, filters * g.OutPlane);
    }

    // The offset table when this geometry prefers one (Im2Col.PrefersTable); null otherwise.
    private void PrepareOffsets()
    {
        if (!Im2Col.PrefersTable(_g)) return;
        if (_offsets is null || _offsetsFor != _g) (_offsets, _offsetsFor) = (Im2Col.Offsets(_g), _g);
    }

    private bool UseOffsets => _offsets is not null && _offsetsFor == _g;

    /// <summary>
    /// db[o] += Σ over images i of Σ dy[i, o, :], for images [0, count): a convolution's bias gradient, split over the
    /// filters (each filter summed whole by one thread, images in order), so the split never changes a result.
    /// </summary>
    public void SumBias(Engine engine, Tensor dy, int count, int filters, in Window2d g, float[] db)
    {
        (_step, _batch, _matrix, _images, _filters, _g) = (Step.BiasSum, dy.Data, db, count, filters, g);
        _chunks = (long)count * filters * g.OutPlane < ParallelFloats ? 1 : Math.Min(filters, 4 * engine.Threads);
        engine.Run(this, _chunks);
    }

    private void Run(Engine engine, int count, int floatsPerImage)
    {
        if ((long)count * floatsPerImage < ParallelFloats)
            for (int i = 0; i < count; i++) Execute(i);
        else engine.Run(this, count);
    }

    /// <summary>Image <paramref name="chunk"/> of the current step (a range of filters for <see cref="SumBias"/>).</summary>
    public void Execute(int chunk)
    {
        int plane = _g.OutPlane, offset = chunk * plane, n = _first + chunk;
        switch (_step)
        {
            case Step.BiasSum:
            {
                int size = _filters * plane;
                for (int o = chunk * _filters / _chunks, end = (chunk + 1) * _filters / _chunks; o < end; o++)
                    for (int i = 0; i < _images; i++) _matrix[o] += TensorPrimitives.Sum(_batch.AsSpan(i * size + o * plane, plane));
                break;
            }
            case Step.Gather:
            {
                int size = _channels * _g.InPlane;
                if (UseOffsets) Im2Col.GatherByTable(_batch.AsSpan(n * size, size), _channels, _g, _offsets, _matrix, _ld, offset);
                else Im2Col.Gather(_batch.AsSpan(n * size, size), _channels, _g, _matrix, _ld, offset);
                break;
            }
            case Step.Scatter:
            {
                int size = _channels * _g.InPlane;
                if (UseOffsets) Im2Col.ScatterAddByTable(_matrix, _ld, offset, _channels, _g, _offsets, _batch.AsSpan(n * size, size));
                else Im2Col.ScatterAdd(_matrix, _ld, offset, _channels, _g, _batch.AsSpan(n * size, size));
                break;
            }
            case Step.Collect:
            {
                var image = _batch.AsSpan(n * _filters * plane, _filters * plane);
                for (int o = 0; o < _filters; o++)
                {
                    var src = _matrix.AsSpan(o * _ld + offset, plane);
                    var dst = image.Slice(o * plane, plane);
                    if (!_hasBias) src.CopyTo(dst);
                    else TensorPrimitives.Add(src, _bias[o], dst);
                }
                if (_relu) VectorMath.Relu(image, image);
                break;
            }
            case Step.Spread:
            {
                var image = _batch.AsSpan(n * _filters * plane, _filters * plane);
                for (int o = 0; o < _filters; o++) image.Slice(o * plane, plane).CopyTo(_matrix.AsSpan(o * _ld + offset, plane));
                break;
            }
        }
    }
}
