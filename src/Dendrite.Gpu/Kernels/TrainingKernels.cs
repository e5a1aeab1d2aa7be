using ILGPU;

namespace Dendrite.Gpu;

/// <summary>One optimizer update's constants, as the CPU classes hold them; t is the step count after this step.</summary>
internal readonly record struct UpdateRule(int Kind, float Rate, float Decay, float Mu, float Beta1, float Beta2, float Epsilon, float Rho,
    float Correction1, float Correction2, int Decays)
{
    public const int Sgd = 0, Momentum = 1, Nesterov = 2, Adam = 3, AdamW = 4, RmsProp = 5;
}

/// <summary>The fused softmax cross-entropy loss and every optimizer's update, one thread per row or per weight.</summary>
internal static class TrainingKernels
{
    /// <summary>
    /// Row r of logits z [N, K]: loss[r] = logsumexp(z) Σy - y·z, and grad = (softmax(z) - y) scale, as
    /// <c>SoftmaxCrossEntropy</c> computes them.
    /// </summary>
    public static void SoftmaxCrossEntropy(Index1D r, ArrayView<float> z, ArrayView<float> target, ArrayView<float> grad, ArrayView<float> loss, int k, float scale)
    {
        long at = (long)r.X * k;
        float max = z[at];
        for (int j = 1; j < k; j++) max = MathF.Max(max, z[at + j]);
        float sum = 0, ySum = 0, yz = 0;
        for (int j = 0; j < k; j++)
        {
            sum += MathF.Exp(z[at + j] - max);
            ySum += target[at + j];
            yz += target[at + j] * z[at + j];
        }
        float lse = max + MathF.Log(sum);
        for (int j = 0; j < k; j++) grad[at + j] = (MathF.Exp(z[at + j] - lse) - target[at + j]) * scale;
        loss[r] = lse * ySum - yz;
    }

    /// <summary>
    /// Weight i: L2 decay into the gradient where it applies (g + wd w; AdamW scales w by 1 - lr wd instead), then
    /// sgd w -= lr g; momentum v = mu v + g, w -= lr v; nesterov the same with w -= lr (g + mu v); adam and adamw
    /// m, v moments with bias corrections c1, c2; rmsprop s = rho s + (1 - rho) g², w -= lr g / (sqrt s + eps).
    /// </summary>
    public static void Update(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> s0, ArrayView<float> s1, UpdateRule u)
    {
        float wi = w[i], gi = g[i];
        if (u.Decay > 0f && u.Decays != 0)
        {
            if (u.Kind == UpdateRule.AdamW) wi *= 1f - u.Rate * u.Decay;
            else gi += u.Decay * wi;
        }
        if (u.Kind == UpdateRule.Sgd) wi -= u.Rate * gi;
        else if (u.Kind == UpdateRule.Momentum || u.Kind == UpdateRule.Nesterov)
        {
            float v = u.Mu * s0[i] + gi;
            s0[i] = v;
            wi = u.Kind == UpdateRule.Momentum ? wi - u.Rate * v : wi - u.Rate * gi - u.Rate * u.Mu * v;
        }
        else if (u.Kind == UpdateRule.RmsProp)
        {
            float s = u.Rho * s0[i] + (1 - u.Rho) * gi * gi;
            s0[i] = s;
            wi -= u.Rate * gi / (MathF.Sqrt(s) + u.Epsilon);
        }
        else
        {
            float m = u.Beta1 * s0[i] + (1 - u.Beta1) * gi;
            float v = u.Beta2 * s1[i] + (1 - u.Beta2) * gi * gi;
            s0[i] = m;
            s1[i] = v;
            wi -= u.Rate * m * u.Correction1 / (MathF.Sqrt(v * u.Correction2) + u.Epsilon);
        }
        w[i] = wi;
        g[i] = gi; // as the CPU optimizers leave it: the decayed gradient
    }
}
