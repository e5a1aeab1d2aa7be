namespace Dendrite;

/// <summary>
/// A layer type that the spec grammar knows: its <see cref="Syntax"/> (name, aliases, usage) and how it builds
/// itself from a parsed spec item. Register it once with <see cref="LayerCatalog.Register{T}"/>; from then on it works
/// in spec strings, <c>summary</c>, model files (save and load), <c>gradcheck</c> and ONNX export.
/// </summary>
/// <example>
/// <code>
/// public sealed class Scale : Layer, ISpecLayer&lt;Scale&gt;
/// {
///     public static LayerSyntax Syntax { get; } = new("scale", "scale");
///     public static Scale FromSpec(LayerSpec spec) =&gt; new();
///     ...
/// }
/// LayerCatalog.Register&lt;Scale&gt;();
/// </code>
/// </example>
public interface ISpecLayer<TSelf> where TSelf : Layer, ISpecLayer<TSelf>
{
    /// <summary>The layer's name in specs, its aliases and its usage line.</summary>
    static abstract LayerSyntax Syntax { get; }

    /// <summary>
    /// Builds the layer from a spec item, reading its arguments with <see cref="LayerSpec"/>'s typed getters
    /// (which throw <see cref="SpecException"/> naming the item). Arguments it does not read are refused by the catalog.
    /// </summary>
    static abstract TSelf FromSpec(LayerSpec spec);
}
