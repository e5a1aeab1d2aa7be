using ILGPU;

namespace Dendrite.Gpu;

/// <summary>
/// Batch norm over [N, C, S] (S = H W, or 1 after a dense layer) in two levels with no barrier: one thread per
/// (channel, sample) sums its plane, then one thread per channel sums those N partial sums. The variance is taken
/// around the mean (two passes), as the CPU layer does, not as E[x²] - E[x]².
/// </summary>
internal static class NormalizationKernels
{
    /// <summary>i over C N: part[c N + n] = sum over the plane of x (minus mean[c] squared, when squares is 1).</summary>
    public static void PlaneSums(Index1D i, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> part, int n, int c, int s, int squares)
    {
        int ch = (int)(i / n), sample = (int)(i % n);
        long at = ((long)sample * c + ch) * s;
        float sum = 0, m = squares != 0 ? mean[ch] : 0f;
        for (int p = 0; p < s; p++)
        {
            float v = x[at + p] - m;
            sum += squares != 0 ? v * v : v;
        }
        part[i] = sum;
    }

    /// <summary>c: mean[c] = the sum of its N partial sums / m.</summary>
    public static void Mean(Index1D ch, ArrayView<float> part, ArrayView<float> mean, int n, int m)
    {
        double sum = 0;
        for (int k = 0; k < n; k++) sum += part[ch * n + k];
        mean[ch] = (float)(sum / m);
    }

    /// <summary>c: the biased variance gives invStd = 1 / sqrt(var + eps); the running averages move by momentum (unbiased variance).</summary>
    public static void Statistics(Index1D ch, ArrayView<float> part, ArrayView<float> mean, ArrayView<float> invStd,
        ArrayView<float> runMean, ArrayView<float> runVar, int n, int m, float momentum, float epsilon)
    {
        double sum = 0;
        for (int k = 0; k < n; k++) sum += part[ch * n + k];
        double variance = sum / m;
        invStd[ch] = (float)(1.0 / Math.Sqrt(variance + epsilon));
        runMean[ch] = (1 - momentum) * runMean[ch] + momentum * mean[ch];
        runVar[ch] = (1 - momentum) * runVar[ch] + momentum * (float)(variance * m / (m - 1));
    }

    /// <summary>c, in evaluation: mean = the running mean, invStd = 1 / sqrt(running var + eps).</summary>
    public static void Running(Index1D ch, ArrayView<float> runMean, ArrayView<float> runVar, ArrayView<float> mean, ArrayView<float> invStd, float epsilon)
    {
        mean[ch] = runMean[ch];
        invStd[ch] = 1f / MathF.Sqrt(runVar[ch] + epsilon);
    }

    /// <summary>i over N C S: x̂ = (x - mean) invStd, y = γ x̂ + β.</summary>
    public static void Normalize(Index1D i, ArrayView<float> x, ArrayView<float> xhat, ArrayView<float> y, ArrayView<float> mean,
        ArrayView<float> invStd, ArrayView<float> gamma, ArrayView<float> beta, int c, int s)
    {
        int ch = (int)(i / s % c);
        float h = (x[i] - mean[ch]) * invStd[ch];
        xhat[i] = h;
        y[i] = gamma[ch] * h + beta[ch];
    }

    /// <summary>i over C N: sums of dy and of dy x̂ over the plane, into part[i] and part[C N + i].</summary>
    public static void GradientSums(Index1D i, ArrayView<float> dy, ArrayView<float> xhat, ArrayView<float> part, int n, int c, int s)
    {
        int ch = (int)(i / n), sample = (int)(i % n);
        long at = ((long)sample * c + ch) * s;
        float sumDy = 0, sumDyXhat = 0;
        for (int p = 0; p < s; p++)
        {
            sumDy += dy[at + p];
            sumDyXhat += dy[at + p] * xhat[at + p];
        }
        part[i] = sumDy;
        part[(long)c * n + i] = sumDyXhat;
    }

    /// <summary>
    /// c: β' += Σ dy, γ' += Σ dy x̂; coefficients of dx = scale dy + shift + slope x̂, with scale = γ invStd and, in
    /// training, shift = -scale Σdy / m, slope = -scale Σdy x̂ / m (μ and σ depend on every x of the channel).
    /// </summary>
    public static void GradientCoefficients(Index1D ch, ArrayView<float> part, ArrayView<float> gamma, ArrayView<float> invStd,
        ArrayView<float> gammaGrad, ArrayView<float> betaGrad, ArrayView<float> coef, int n, int c, int m, int training)
    {
        double sumDy = 0, sumDyXhat = 0;
        for (int k = 0; k < n; k++)
        {
            sumDy += part[ch * n + k];
            sumDyXhat += part[(long)c * n + ch * n + k];
        }
        betaGrad[ch] += (float)sumDy;
        gammaGrad[ch] += (float)sumDyXhat;
        float scale = gamma[ch] * invStd[ch];
        coef[ch] = scale;
        coef[c + ch] = training != 0 ? (float)(-scale * sumDy / m) : 0f;
        coef[2 * c + ch] = training != 0 ? (float)(-scale * sumDyXhat / m) : 0f;
    }

    /// <summary>i over N C S: dx = scale dy + shift + slope x̂.</summary>
    public static void InputGradient(Index1D i, ArrayView<float> dy, ArrayView<float> xhat, ArrayView<float> coef, ArrayView<float> dx, int c, int s)
    {
        int ch = (int)(i / s % c);
        dx[i] = coef[ch] * dy[i] + coef[c + ch] + coef[2 * c + ch] * xhat[i];
    }
}
