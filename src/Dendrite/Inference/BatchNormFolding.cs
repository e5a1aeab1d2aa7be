namespace Dendrite.Inference;

/// <summary>
/// Batch norm in evaluation mode is an affine map per channel, y = s x + t with s = γ / sqrt(σ² + ε) and
/// t = β - s μ (running statistics): folded into the layer before it, W' = s W row by row and b' = s (b - μ) + β.
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>s and t per channel of <paramref name="bn"/>, computed as the layer's own evaluation forward computes 1 / sqrt(σ² + ε).</summary>
    public static void Affine(BatchNorm bn, Span<float> scale, Span<float> shift)
    {
        var gamma = bn.Gamma.Value.Span;
        var beta = bn.Beta.Value.Span;
        var mean = bn.RunningMean.Span;
        var variance = bn.RunningVar.Span;
        for (int c = 0; c < scale.Length; c++)
        {
            float s = gamma[c] * (1 / MathF.Sqrt(variance[c] + bn.Epsilon));
            scale[c] = s;
            shift[c] = beta[c] - s * mean[c];
        }
    }

    /// <summary>
    /// w' [units, rows] = s w and b' = s b + t for the weights <paramref name="w"/> of a layer with one output per element of <paramref name="foldedB"/>
    /// (bias <paramref name="b"/>, empty for none) followed by <paramref name="bn"/>.
    /// </summary>
    public static void Fold(ReadOnlySpan<float> w, ReadOnlySpan<float> b, BatchNorm bn, Span<float> foldedW, Span<float> foldedB, Span<float> scale)
    {
        int units = foldedB.Length, rows = w.Length / units;
        Affine(bn, scale, foldedB); // foldedB holds t for now
        for (int o = 0; o < units; o++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(w.Slice(o * rows, rows), scale[o], foldedW.Slice(o * rows, rows));
            if (!b.IsEmpty) foldedB[o] += scale[o] * b[o];
        }
    }
}
