namespace Dendrite;

/// <summary>
/// What a layer makes of one input shape, stated before anything is allocated: its per-sample output shape and the
/// name and shape of each tensor it creates (parameters first, then buffers), as <see cref="Layer.Describe"/> returns it.
/// </summary>
public sealed class LayerShape(int[] output, params IReadOnlyList<NamedShape> tensors)
{
    /// <summary>Per-sample output shape, e.g. [32, 28, 28].</summary>
    public int[] Output { get; } = output;

    /// <summary>Every parameter, then every buffer, by name within the layer.</summary>
    public IReadOnlyList<NamedShape> Tensors { get; } = tensors;

    /// <summary>Floats in all the tensors, counted without overflow (a hostile spec can ask for more than 2^31).</summary>
    public long Floats => Tensors.Sum(t => t.Volume);
}
