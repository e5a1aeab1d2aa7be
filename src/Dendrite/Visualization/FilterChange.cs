namespace Dendrite.Visualization;

/// <summary>
/// How far training moved a layer's weights from their initial draw: the change W - W0 (what <c>filters
/// --diff-from-init</c> draws), its size relative to the start, |W - W0| / |W0|, and the correlation of W with W0 (near 1:
/// the filters still look like their random start; near 0: training replaced it).
/// </summary>
/// <param name="Change">W - W0, the shape of the weights.</param>
/// <param name="RelativeChange">|W - W0| / |W0| (L2 norms).</param>
/// <param name="Correlation">Pearson's correlation of the values of W and W0.</param>
public sealed record FilterChange(Tensor Change, double RelativeChange, double Correlation)
{
    /// <summary>Compares trained weights with the initial ones.</summary>
    /// <exception cref="ShapeException">The two tensors differ in shape.</exception>
    public static FilterChange Of(Tensor trained, Tensor initial)
    {
        if (!trained.Shape.SequenceEqual(initial.Shape))
            throw new ShapeException($"weights {Tensor.Format(trained.Shape)} and initial weights {Tensor.Format(initial.Shape)} differ in shape");
        var w = trained.Span;
        var w0 = initial.Span;
        var change = new Tensor(trained.Shape.ToArray());
        var d = change.Span;
        double diff = 0, start = 0, mw = 0, m0 = 0;
        for (int i = 0; i < w.Length; i++)
        {
            d[i] = w[i] - w0[i];
            diff += (double)d[i] * d[i];
            start += (double)w0[i] * w0[i];
            mw += w[i];
            m0 += w0[i];
        }
        mw /= w.Length;
        m0 /= w.Length;
        double cov = 0, vw = 0, v0 = 0;
        for (int i = 0; i < w.Length; i++)
        {
            cov += (w[i] - mw) * (w0[i] - m0);
            vw += (w[i] - mw) * (w[i] - mw);
            v0 += (w0[i] - m0) * (w0[i] - m0);
        }
        return new FilterChange(change, Math.Sqrt(diff / start), cov / Math.Sqrt(vw * v0));
    }
}
