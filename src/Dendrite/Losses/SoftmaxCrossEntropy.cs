using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>
/// Softmax and cross-entropy fused, on logits z: L = -sum_i y_i log softmax(z)_i = logsumexp(z) - y.z
/// (for targets that sum to 1); dL/dz = softmax(z) - y. Computing log-softmax through logsumexp keeps
/// it finite for any logits.
/// </summary>
public sealed class SoftmaxCrossEntropy : Loss
{
    private float[] _row = [];

    public override string Name => "cross-entropy";

    public override double Compute(Tensor logits, Tensor target, Tensor? gradient)
    {
        Check(logits, target, gradient, Name);
        int n = logits[0], k = logits.Length / n;
        if (_row.Length < k) _row = new float[k];
        var row = _row.AsSpan(0, k);
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            var z = logits.Span.Slice(r * k, k);
            var y = target.Span.Slice(r * k, k);
            float lse = Kernels.Elementwise.LogSumExp(z, row);
            total += lse * TensorPrimitives.Sum(y) - TensorPrimitives.Dot(y, z);
            if (gradient is null) continue;
            // row holds e^(z - max); softmax = row / sum(row).
            var g = gradient.Span.Slice(r * k, k);
            TensorPrimitives.Subtract(z, lse, g);
            TensorPrimitives.Exp(g, g);
            TensorPrimitives.Subtract(g, y, g);
            TensorPrimitives.Multiply(g, 1f / n, g);
        }
        return total / n;
    }
}
