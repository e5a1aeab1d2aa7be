using ILGPU;

namespace Dendrite.Gpu;

/// <summary>The elementwise activations, by number (see <see cref="ActivationKind"/>), with their one parameter a.</summary>
internal enum ActivationKind { ReLU, LeakyReLU, Elu, Sigmoid, Tanh, Gaussian, Linear, Step, StepStraightThrough }

/// <summary>Elementwise, row and column kernels: activations, softmax, bias, sums, slices, dropout.</summary>
internal static class ElementwiseKernels
{
    /// <summary>
    /// The activations' formulas as the CPU classes write them: relu max(0, x); leaky x &gt; 0 ? x : a x;
    /// elu x &gt; 0 ? x : a (e^x - 1); sigmoid 1 / (1 + e^-x); tanh; gaussian e^(-x²); linear x; step x &gt;= 0.
    /// </summary>
    public static void Activate(Index1D i, ArrayView<float> x, ArrayView<float> y, int kind, float a)
    {
        float v = x[i];
        y[i] = (ActivationKind)kind switch
        {
            ActivationKind.ReLU => v > 0f ? v : 0f,
            ActivationKind.LeakyReLU => v > 0f ? v : a * v,
            ActivationKind.Elu => v > 0f ? v : a * (MathF.Exp(v) - 1f),
            ActivationKind.Sigmoid => 1f / (1f + MathF.Exp(-v)),
            ActivationKind.Tanh => MathF.Tanh(v),
            ActivationKind.Gaussian => MathF.Exp(-v * v),
            ActivationKind.Linear => v,
            _ => v >= 0f ? 1f : 0f,
        };
    }

    /// <summary>
    /// dx from x, the saved output y and dy: relu dy [x &gt; 0]; leaky x &gt; 0 ? dy : a dy; elu x &gt; 0 ? dy : (y + a) dy;
    /// sigmoid dy y (1 - y); tanh dy (1 - y²); gaussian -2 x y dy; linear dy; step 0; step(ste) dy [|x| &lt;= 1].
    /// </summary>
    public static void Derive(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int kind, float a)
    {
        float v = x[i], o = y[i], g = dy[i];
        dx[i] = (ActivationKind)kind switch
        {
            ActivationKind.ReLU => v > 0f ? g : 0f,
            ActivationKind.LeakyReLU => v > 0f ? g : a * g,
            ActivationKind.Elu => v > 0f ? g : (o + a) * g,
            ActivationKind.Sigmoid => g * o * (1f - o),
            ActivationKind.Tanh => g * (1f - o * o),
            ActivationKind.Gaussian => -2f * v * o * g,
            ActivationKind.Linear => g,
            ActivationKind.Step => 0f,
            _ => MathF.Abs(v) <= 1f ? g : 0f,
        };
    }

    /// <summary>Row r of [rows, k]: y = softmax(x), computed as e^(x - max) / sum.</summary>
    public static void Softmax(Index1D r, ArrayView<float> x, ArrayView<float> y, int k)
    {
        long at = (long)r.X * k;
        float max = x[at];
        for (int j = 1; j < k; j++) max = MathF.Max(max, x[at + j]);
        float sum = 0;
        for (int j = 0; j < k; j++) sum += y[at + j] = MathF.Exp(x[at + j] - max);
        for (int j = 0; j < k; j++) y[at + j] /= sum;
    }

    /// <summary>Row r: dx = y (dy - y·dy).</summary>
    public static void SoftmaxBackward(Index1D r, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int k)
    {
        long at = (long)r.X * k;
        float dot = 0;
        for (int j = 0; j < k; j++) dot += y[at + j] * dy[at + j];
        for (int j = 0; j < k; j++) dx[at + j] = y[at + j] * (dy[at + j] - dot);
    }

    /// <summary>m[i] += v[i mod cols]: a bias added to each row.</summary>
    public static void AddRowVector(Index1D i, ArrayView<float> m, ArrayView<float> v, int cols) => m[i] += v[(int)(i % cols)];

    /// <summary>sum[j] += the sum over rows of m[r, j].</summary>
    public static void SumColumns(Index1D j, ArrayView<float> m, ArrayView<float> sum, int rows, int cols)
    {
        float s = 0;
        for (int r = 0; r < rows; r++) s += m[(long)r * cols + j];
        sum[j] += s;
    }

    /// <summary>sum[r] += the sum of row r of m.</summary>
    public static void SumRows(Index1D r, ArrayView<float> m, ArrayView<float> sum, int cols)
    {
        float s = 0;
        long at = (long)r.X * cols;
        for (int j = 0; j < cols; j++) s += m[at + j];
        sum[r] += s;
    }

    /// <summary>y = a + b.</summary>
    public static void Add(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[i] = a[i] + b[i];

    /// <summary>y += a.</summary>
    public static void AddTo(Index1D i, ArrayView<float> a, ArrayView<float> y) => y[i] += a[i];

    /// <summary>y = a * b.</summary>
    public static void Multiply(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[i] = a[i] * b[i];

    /// <summary>i over n x size: whole[s stride + offset + e] = part[s size + e] (a branch's slice of a concatenation).</summary>
    public static void Place(Index1D i, ArrayView<float> part, ArrayView<float> whole, int size, int stride, int offset)
    {
        long s = i / size, e = i % size;
        whole[s * stride + offset + e] = part[i];
    }

    /// <summary>The inverse of <see cref="Place"/>: part[s size + e] = whole[s stride + offset + e].</summary>
    public static void Take(Index1D i, ArrayView<float> whole, ArrayView<float> part, int size, int stride, int offset)
    {
        long s = i / size, e = i % size;
        part[i] = whole[s * stride + offset + e];
    }

    /// <summary>
    /// Inverted dropout: mask[i] = 0 with probability p, else 1 / (1 - p), from a counter-based hash of (seed, i) so
    /// every element draws on its own; y = x mask.
    /// </summary>
    public static void Dropout(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> mask, float p, ulong seed, int draw)
    {
        if (draw != 0) mask[i] = Uniform(seed, (ulong)i.X) < p ? 0f : 1f / (1f - p);
        y[i] = x[i] * mask[i];
    }

    /// <summary>A uniform float in [0, 1) from SplitMix64 of seed + index.</summary>
    public static float Uniform(ulong seed, ulong index)
    {
        ulong z = seed + (index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1f / (1 << 24));
    }
}
