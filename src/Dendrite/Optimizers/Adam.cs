using System.Numerics;

namespace Dendrite;

/// <summary>
/// Adam (Kingma and Ba): m &lt;- b1 m + (1 - b1) g; v &lt;- b2 v + (1 - b2) g^2;
/// w &lt;- w - lr * m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps).
/// </summary>
public class Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
    : Optimizer(learningRate, weightDecay)
{
    /// <summary>b1, the decay of the first-moment average m; default 0.9.</summary>
    public float Beta1 { get; } = beta1;
    /// <summary>b2, the decay of the second-moment average v; default 0.999.</summary>
    public float Beta2 { get; } = beta2;
    /// <summary>eps, added to the root of the corrected v so the step stays finite; default 1e-8.</summary>
    public float Epsilon { get; } = epsilon;
    /// <inheritdoc/>
    public override string Name => "adam";
    /// <summary>Two: m, then v.</summary>
    protected override int StateSlots => 2;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, bool decays) =>
        AdamUpdate(w, g, m, v, LearningRate);

    /// <summary>
    /// The Adam update with rate <paramref name="lr"/> and t = <see cref="Optimizer.Steps"/>, updating m and v in place;
    /// for subclasses that change the weights first, as <see cref="AdamW"/> does.
    /// </summary>
    protected void AdamUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr)
    {
        float c1 = 1f / (1f - MathF.Pow(Beta1, Steps));
        float c2 = 1f / (1f - MathF.Pow(Beta2, Steps));
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Vectorised: the scalar loop took about half of an MLP training step once the GEMM was fast.
            var vb1 = new Vector<float>(b1); var vb2 = new Vector<float>(b2);
            var va1 = new Vector<float>(1 - b1); var va2 = new Vector<float>(1 - b2);
            var vc1 = new Vector<float>(lr * c1); var vc2 = new Vector<float>(c2); var veps = new Vector<float>(eps);
            for (; i <= w.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = new Vector<float>(g[i..]);
                var mi = vb1 * new Vector<float>(m[i..]) + va1 * gi;
                var vi = vb2 * new Vector<float>(v[i..]) + va2 * gi * gi;
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                (new Vector<float>(w[i..]) - vc1 * mi / (Vector.SquareRoot(vi * vc2) + veps)).CopyTo(w[i..]);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            w[i] -= lr * m[i] * c1 / (MathF.Sqrt(v[i] * c2) + eps);
        }
    }
}
