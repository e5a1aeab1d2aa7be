namespace Dendrite;

/// <summary>
/// A float32 tensor: contiguous, row-major, images in [N, C, H, W].
/// The backing array may be longer than the shape needs, so a layer can shrink its output for a
/// smaller last batch and grow it back without allocating.
/// </summary>
public sealed class Tensor
{
    private float[] _data;
    private int[] _shape;

    /// <summary>A zero-filled tensor of <paramref name="shape"/>.</summary>
    /// <exception cref="ShapeException">A negative size, or more values than an array holds.</exception>
    public Tensor(params int[] shape)
    {
        _shape = (int[])shape.Clone();
        Length = CheckedVolume(_shape);
        _data = new float[Length];
    }

    /// <summary>A tensor over <paramref name="data"/> (not copied), which may be longer than the shape needs.</summary>
    /// <exception cref="ShapeException"><paramref name="data"/> is shorter than the shape needs, a size is negative, or the shape has more values than an array holds.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        _shape = (int[])shape.Clone();
        Length = CheckedVolume(_shape);
        if (data.Length < Length)
            throw new ShapeException($"tensor data has {data.Length} values, shape {Format(shape)} needs {Length}");
        _data = data;
    }

    /// <summary>A tensor with no values, returned where a result was not asked for.</summary>
    public static readonly Tensor Empty = new(0);

    /// <summary>The sizes of each dimension; do not modify.</summary>
    public ReadOnlySpan<int> Shape => _shape;
    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;
    /// <summary>Number of values: the product of the shape.</summary>
    public int Length { get; private set; }
    /// <summary>The size of dimension <paramref name="dim"/>, e.g. <c>x[0]</c> is N.</summary>
    public int this[int dim] => _shape[dim];

    /// <summary>The values, exactly <see cref="Length"/> of them.</summary>
    public Span<float> Span => _data.AsSpan(0, Length);

    /// <summary>The backing array; it can be longer than <see cref="Length"/>.</summary>
    public float[] Data => _data;

    /// <summary>Values of sample <paramref name="n"/> along the first dimension.</summary>
    public Span<float> Sample(int n)
    {
        int size = Length / _shape[0];
        return _data.AsSpan(n * size, size);
    }

    /// <summary>
    /// Gives this tensor a new shape, reusing the backing array when it is large enough
    /// (no allocation when the rank is unchanged and the array has room).
    /// </summary>
    public Tensor Resize(ReadOnlySpan<int> shape)
    {
        if (shape.Length != _shape.Length) _shape = new int[shape.Length];
        shape.CopyTo(_shape);
        Length = CheckedVolume(_shape);
        if (_data.Length < Length) _data = new float[Length];
        return this;
    }

    /// <summary>Same as <see cref="Resize(ReadOnlySpan{int})"/> with the batch size prepended to a per-sample shape.</summary>
    public Tensor Resize(int batch, ReadOnlySpan<int> sampleShape)
    {
        Span<int> full = stackalloc int[sampleShape.Length + 1];
        full[0] = batch;
        sampleShape.CopyTo(full[1..]);
        return Resize(full);
    }

    /// <summary>Makes a tensor, or reshapes the given one, to hold [batch, ...sampleShape].</summary>
    public static Tensor Ensure(ref Tensor? buffer, int batch, ReadOnlySpan<int> sampleShape)
    {
        buffer ??= new Tensor(0);
        return buffer.Resize(batch, sampleShape);
    }

    /// <summary>
    /// Points <paramref name="view"/> at <paramref name="source"/>'s values under the shape [batch, ...sampleShape],
    /// allocating a new view object only when the source array changes.
    /// </summary>
    public static Tensor Alias(ref Tensor? view, Tensor source, int batch, ReadOnlySpan<int> sampleShape)
    {
        if (view is null || !ReferenceEquals(view._data, source._data)) view = new Tensor(source._data, 0);
        view.Resize(batch, sampleShape);
        if (view.Length != source.Length)
            throw new ShapeException($"cannot view {Format(source._shape)} as {Format(view._shape)}");
        return view;
    }

    /// <summary>A tensor that shares this tensor's values under another shape of the same volume.</summary>
    public Tensor View(params int[] shape)
    {
        int volume = CheckedVolume(shape);
        if (volume != Length) throw new ShapeException($"cannot view {Format(_shape)} as {Format(shape)}");
        return new Tensor(_data, shape);
    }

    /// <summary>A new tensor of the same shape with a copy of the values.</summary>
    public Tensor Clone()
    {
        var copy = new Tensor(_shape);
        Span.CopyTo(copy.Span);
        return copy;
    }

    /// <summary>Sets every value to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Per-sample shape: every dimension but the first.</summary>
    public int[] SampleShape => _shape[1..];

    /// <summary>Whether both have the same rank and sizes.</summary>
    public bool SameShape(Tensor other) => Shape.SequenceEqual(other.Shape);

    /// <summary>Throws <see cref="ShapeException"/>, prefixed with <paramref name="what"/>, unless <paramref name="other"/> has this tensor's shape.</summary>
    public void RequireShape(Tensor other, string what)
    {
        if (!SameShape(other))
            throw new ShapeException($"{what}: shape {Format(_shape)} does not match {Format(other._shape)}");
    }

    /// <summary>The shape, e.g. <c>Tensor[64, 1, 28, 28]</c>.</summary>
    public override string ToString() => $"Tensor{Format(_shape)}";

    /// <summary>Writes a shape the way docs and errors do: [N, C, H, W].</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>The product of the sizes (1 for an empty shape); unchecked, unlike the constructors.</summary>
    public static int Volume(ReadOnlySpan<int> shape)
    {
        int v = 1;
        foreach (int d in shape) v *= d;
        return v;
    }

    private static int CheckedVolume(int[] shape)
    {
        long v = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ShapeException($"negative dimension in shape {Format(shape)}");
            v *= d;
            if (v > Array.MaxLength) throw new ShapeException($"shape {Format(shape)} has more than {Array.MaxLength} values");
        }
        return (int)v;
    }
}
