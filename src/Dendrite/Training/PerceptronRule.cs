using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>
/// Rosenblatt's perceptron learning rule for one layer of threshold units y = step(W x + b): after each sample,
/// W += eta (t - y) x^T and b += eta (t - y), which changes nothing where the answer was right. On a linearly
/// separable set it stops after finitely many mistakes (Novikoff, 1962); on a set that is not, such as XOR, every
/// pass makes a mistake and it never settles. It needs no gradient, which is why it works where backprop through
/// the step cannot: the step's derivative is zero wherever it exists.
/// </summary>
public sealed class PerceptronRule(float rate = 1f)
{
    /// <summary>eta, the step of each correction; default 1. Must be positive (else <see cref="ArgumentOutOfRangeException"/>).</summary>
    public float Rate { get; } = rate > 0 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), $"rate must be positive, got {rate}");

    /// <summary>
    /// Trains the weights of <paramref name="layer"/> (built, with a bias) until a pass over the data makes no mistake,
    /// or for <paramref name="maxEpochs"/> passes; returns the mistakes of each pass (a mistake is a sample with any
    /// unit wrong). Targets are the 0/1 label for a single unit and two classes, otherwise one-hot (or the regression
    /// targets, which should then be 0 or 1). Samples are visited in order, or shuffled by <paramref name="rng"/>.
    /// </summary>
    public List<int> Fit(Dense layer, Dataset data, int maxEpochs, Rng? rng = null)
    {
        if (layer.Bias is null) throw new ArgumentException($"{layer.Label}: the perceptron rule needs a bias");
        int d = layer.Inputs, units = layer.Units;
        if (data.SampleSize != d) throw new ShapeException($"{layer.Label}: samples have {data.SampleSize} values, the layer takes {d}");
        bool binary = units == 1 && data.IsClassification && data.Classes == 2;
        if (!binary && data.OutputSize != units)
            throw new ShapeException($"{layer.Label}: {units} threshold units for {data.OutputSize} targets");
        var w = layer.Weight.Value.Span;
        var b = layer.Bias.Value.Span;
        var target = new float[Math.Max(units, data.OutputSize)];
        var order = Enumerable.Range(0, data.Count).ToArray();
        var mistakes = new List<int>();
        for (int epoch = 0; epoch < maxEpochs; epoch++)
        {
            rng?.Shuffle(order);
            int wrong = 0;
            foreach (int i in order)
            {
                var x = data.Sample(i);
                if (binary) target[0] = data.Labels[i];
                else data.WriteTarget(i, target);
                bool any = false;
                for (int u = 0; u < units; u++)
                {
                    var wu = w.Slice(u * d, d);
                    float y = TensorPrimitives.Dot(wu, x) + b[u] >= 0f ? 1f : 0f;
                    float error = target[u] - y;
                    if (error == 0f) continue;
                    any = true;
                    TensorPrimitives.MultiplyAdd(x, Rate * error, wu, wu);
                    b[u] += Rate * error;
                }
                if (any) wrong++;
            }
            mistakes.Add(wrong);
            if (wrong == 0) break;
        }
        return mistakes;
    }
}
