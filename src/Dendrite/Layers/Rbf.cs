using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Radial basis units: y_nk = phi(u_nk), u_nk = ||x_n - c_k||^2 / s_k^2, with centres C [K, D] and widths s_k = exp(log_width_k);
/// phi(u) = e^-u (Gaussian), sqrt(1 + u) (multiquadric), 1 / sqrt(1 + u) (inverse multiquadric), i.e. phi(r) of r^2 = u.
/// With g = dL/dy * phi'(u) and G_nk = g_nk / s_k^2: dL/dlog_width_k = -2 sum_n g_nk u_nk,
/// dL/dc_k = 2 (sum_n G_nk) c_k - 2 (G^T X)_k, dL/dx_n = 2 (sum_k G_nk) x_n - 2 (G C)_n.
/// </summary>
/// <remarks>
/// Written in u = r^2, so no square root is taken: phi stays smooth at x = c, where ||x - c|| has a kink.
/// The width is learned as its logarithm: it stays positive under any step, and a step scales it rather than shifting it.
/// Centres start as standard normal draws (inputs are expected standardised); <see cref="SetCentres"/> replaces them,
/// e.g. by k-means, and resets each width to <see cref="Scale"/> times the mean distance to its two nearest other centres.
/// </remarks>
public sealed class Rbf(int units, RadialKernel kernel = RadialKernel.Gaussian, float scale = 1f) : Layer, ISpecLayer<Rbf>
{
    /// <summary><c>rbf(units[,kernel=gaussian|multiquadric|inverse][,scale=1])</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("rbf", "rbf(units[,kernel=gaussian|multiquadric|inverse][,scale=1])", 3);

    /// <summary>Reads units, kernel and scale.</summary>
    public static Rbf FromSpec(LayerSpec s)
    {
        float scale = s.Float(2, "scale", 1f);
        if (!(scale > 0)) throw s.Fail($"scale must be positive, got {scale}");
        var kernel = s.Raw(1, "kernel")?.ToLowerInvariant() switch
        {
            null or "gaussian" => RadialKernel.Gaussian,
            "multiquadric" => RadialKernel.Multiquadric,
            "inverse" or "inverse-multiquadric" or "inversemultiquadric" => RadialKernel.InverseMultiquadric,
            var other => throw s.Fail($"kernel '{other}' is not one of gaussian, multiquadric, inverse"),
        };
        return new Rbf(s.Int(0, "units"), kernel, scale);
    }

    private Parameter? _centres, _logWidth;
    private Tensor? _x, _d2, _u, _y, _g, _dx;
    private float[] _xNorms = [], _cNorms = [], _a = [], _sums = [];

    /// <summary>Units K, positive (the constructor throws <see cref="ArgumentOutOfRangeException"/> otherwise).</summary>
    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), $"rbf({units}): units must be positive");

    /// <summary>phi, the radial function; default Gaussian.</summary>
    public RadialKernel Kernel { get; } = kernel;

    /// <summary>
    /// Factor on the widths <see cref="SetCentres"/> sets: s_k = scale x (mean distance from c_k to its two nearest other
    /// centres). Positive and finite (the constructor throws <see cref="ArgumentOutOfRangeException"/> otherwise); default 1.
    /// </summary>
    public float Scale { get; } = scale > 0 && float.IsFinite(scale) ? scale : throw new ArgumentOutOfRangeException(nameof(scale), $"rbf: scale must be positive, got {scale}");

    /// <summary>Input features D. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public int Inputs => InputShape[0];

    /// <summary>C [K, D], saved as <c>centres</c>; exempt from weight decay. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public Parameter Centres => _centres ?? throw new InvalidOperationException($"{Label}: not built");

    /// <summary>log s [K], saved as <c>log_width</c>; exempt from weight decay. Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public Parameter LogWidth => _logWidth ?? throw new InvalidOperationException($"{Label}: not built");

    /// <summary>The spec name of a kernel: gaussian, multiquadric, inverse.</summary>
    public static string KernelName(RadialKernel k) => k switch
    {
        RadialKernel.Gaussian => "gaussian",
        RadialKernel.Multiquadric => "multiquadric",
        _ => "inverse",
    };

    /// <summary><c>rbf(units)</c>, adding kernel and scale only where they differ from the defaults.</summary>
    public override string Spec
    {
        get
        {
            var extra = (Kernel == RadialKernel.Gaussian ? "" : $",kernel={KernelName(Kernel)}") +
                        (Scale == 1f ? "" : $",scale={Scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            return $"rbf({Units}{extra})";
        }
    }

    /// <summary>inputs x units per sample: the x.c products of the distance GEMM (norms and phi not counted). Throws <see cref="InvalidOperationException"/> before the layer is built.</summary>
    public override long MultiplyAdds => (long)Inputs * Units;

    /// <inheritdoc/>
    public override bool TakesVectors => true;

    /// <summary>[D] -> [K]; centres [K, D], log_width [K].</summary>
    public override LayerShape Describe(int[] inputShape)
    {
        if (inputShape.Length != 1) throw Error($"input {Batch(inputShape)} needs flatten first");
        return new([Units], new NamedShape("centres", [Units, inputShape[0]]), new NamedShape("log_width", [Units]));
    }

    /// <inheritdoc/>
    protected override void OnBuild(int[] inputShape, Rng rng)
    {
        // Centres and widths are not pulled towards zero by weight decay: neither has a natural zero.
        _centres = new Parameter("centres", new Tensor(Units, inputShape[0])) { Decays = false };
        _logWidth = new Parameter("log_width", new Tensor(Units)) { Decays = false };
        Learns(_centres, _logWidth);
        var c = new float[Units * inputShape[0]];
        rng.Normal(c, 1f);
        SetCentres(c, inputShape[0]);
    }

    /// <summary>u = max(0, ||x||^2 - 2 x C^T + ||c||^2) / s^2, then phi(u) as <see cref="Forward"/> computes it.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x)
    {
        int k = Units, d = Inputs;
        var c = Centres.Value.Span;
        var norms = new float[k];
        var inverseSquares = new float[k];
        for (int j = 0; j < k; j++)
        {
            double sum = 0;
            for (int i = 0; i < d; i++) sum += (double)c[j * d + i] * c[j * d + i];
            norms[j] = (float)sum;
            inverseSquares[j] = MathF.Exp(-2f * LogWidth.Value.Span[j]);
        }
        var xx = onnx.Add("ReduceSumSquare", [x], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
        var xc = onnx.Add("Gemm", [x, onnx.Weight(Centres)], OnnxAttribute.Int("transB", 1), OnnxAttribute.Float("alpha", -2f));
        var d2 = onnx.Add("Relu", [onnx.Add("Add", [onnx.Add("Add", [xc, xx]), onnx.Constant("centre_norms", [k], norms)])]);
        var u = onnx.Add("Mul", [d2, onnx.Constant("inverse_width_squares", [k], inverseSquares)]);
        return Kernel switch
        {
            RadialKernel.Gaussian => onnx.Add("Exp", [onnx.Add("Neg", [u])]),
            RadialKernel.Multiquadric => onnx.Add("Sqrt", [onnx.Add("Add", [u, onnx.Scalar("one", 1f)])]),
            _ => onnx.Add("Reciprocal", [onnx.Add("Sqrt", [onnx.Add("Add", [u, onnx.Scalar("one", 1f)])])]),
        };
    }

    /// <summary>Copies centres [K, D] in and sets each width from the distances between them.</summary>
    public void SetCentres(ReadOnlySpan<float> centres, int inputs)
    {
        if (inputs != Centres.Value[1] || centres.Length != Centres.Length)
            throw Error($"centres of {centres.Length} values for inputs {inputs} do not fit [{Units}, {Centres.Value[1]}]");
        centres.CopyTo(Centres.Value.Span);
        var widths = NearestCentreWidths(centres, Units, inputs, neighbours: 2, Engine);
        for (int k = 0; k < Units; k++) LogWidth.Value.Span[k] = MathF.Log(Scale * widths[k]);
    }

    /// <summary>
    /// Each centre's mean distance to its <paramref name="neighbours"/> nearest other centres (Moody and Darken's
    /// p-nearest-neighbour rule). Zero widths (repeated centres) take the mean of the others, or 1.
    /// </summary>
    public static float[] NearestCentreWidths(ReadOnlySpan<float> centres, int k, int d, int neighbours, Engine? engine = null)
    {
        var widths = new float[k];
        int p = Math.Min(neighbours, k - 1);
        if (p > 0)
        {
            // The distances a block of rows at a time: at most 16M floats (64 MB) instead of k x k, which for rbf(43434)
            // was 7.5 GB and above 46,340 centres overflowed (found by fuzzing the spec parser). Up to 4,096 centres the
            // block is the whole matrix, as before.
            int rows = (int)Math.Clamp(DistanceBlockFloats / k, 1, k);
            var d2 = new float[(long)rows * k];
            var blockNorms = new float[rows];
            var norms = new float[k];
            var nearest = new float[p];
            for (int i0 = 0; i0 < k; i0 += rows)
            {
                int m = Math.Min(rows, k - i0);
                SquaredDistance.Compute(engine ?? Engine.Default, centres.Slice(i0 * d, m * d), m, centres, k, d, d2, blockNorms, norms);
                for (int r = 0; r < m; r++)
                {
                    var row = d2.AsSpan(r * k, k);
                    row[i0 + r] = float.PositiveInfinity;
                    Smallest(row, nearest);
                    double sum = 0;
                    for (int j = 0; j < p; j++) sum += Math.Sqrt(nearest[j]);
                    widths[i0 + r] = (float)(sum / p);
                }
            }
        }
        var positive = widths.Where(w => w > 0 && float.IsFinite(w)).ToArray();
        float fallback = positive.Length > 0 ? positive.Average() : 1f;
        for (int i = 0; i < k; i++)
            if (!(widths[i] > 0) || !float.IsFinite(widths[i])) widths[i] = fallback;
        return widths;
    }

    private const long DistanceBlockFloats = 1L << 24;

    // The smallest values of row in ascending order, as the first entries of Array.Sort(row) (NaN first, as CompareTo
    // orders it), in one pass instead of a sort of the whole row.
    private static void Smallest(ReadOnlySpan<float> row, Span<float> smallest)
    {
        smallest.Fill(float.PositiveInfinity);
        foreach (float v in row)
        {
            if (v.CompareTo(smallest[^1]) >= 0) continue;
            int at = smallest.Length - 1;
            while (at > 0 && v.CompareTo(smallest[at - 1]) < 0)
            {
                smallest[at] = smallest[at - 1];
                at--;
            }
            smallest[at] = v;
        }
    }

    /// <summary>
    /// [N, D] -> [N, K]; <paramref name="training"/> is ignored. Keeps a reference to <paramref name="x"/> (not a copy) and
    /// the u and y it computes for <see cref="Backward"/>. Throws <see cref="ShapeException"/> when x is not [N, D].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _x = x;
        int n = x[0], k = Units, d = Inputs;
        Grow(n);
        var d2 = Tensor.Ensure(ref _d2, n, OutputShape);
        var u = Tensor.Ensure(ref _u, n, OutputShape);
        var y = Tensor.Ensure(ref _y, n, OutputShape);
        SquaredDistance.Compute(Engine, x.Span, n, Centres.Value.Span, k, d, d2.Span, _xNorms, _cNorms);
        // a_k = 1 / s_k^2
        var a = _a.AsSpan(0, k);
        TensorPrimitives.Multiply(LogWidth.Value.Span, -2f, a);
        TensorPrimitives.Exp(a, a);
        for (int i = 0; i < n; i++) TensorPrimitives.Multiply(d2.Span.Slice(i * k, k), a, u.Span.Slice(i * k, k));
        var us = u.Span;
        var ys = y.Span;
        switch (Kernel)
        {
            case RadialKernel.Gaussian:
                TensorPrimitives.Negate(us, ys);
                TensorPrimitives.Exp(ys, ys);
                break;
            case RadialKernel.Multiquadric:
                TensorPrimitives.Add(us, 1f, ys);
                TensorPrimitives.Sqrt(ys, ys);
                break;
            default:
                TensorPrimitives.Add(us, 1f, ys);
                TensorPrimitives.ReciprocalSqrt(ys, ys);
                break;
        }
        return y;
    }

    /// <summary>
    /// Adds dL/dC and dL/dlog_width to the gradients; returns dL/dx [N, D], or <see cref="Tensor.Empty"/> when
    /// <see cref="Layer.NeedsInputGradient"/> is false. Once per forward: it overwrites the saved u.
    /// Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        var x = _x ?? throw new InvalidOperationException($"{Label}: backward before forward");
        int n = x[0], k = Units, d = Inputs;
        var g = Tensor.Ensure(ref _g, n, OutputShape).Span;
        var ys = _y!.Span;
        var us = _u!.Span;
        // g = dL/du = dy * phi'(u), from the saved output y.
        switch (Kernel)
        {
            case RadialKernel.Gaussian: // phi' = -y
                TensorPrimitives.Multiply(dy.Span, ys, g);
                TensorPrimitives.Negate(g, g);
                break;
            case RadialKernel.Multiquadric: // phi' = 1 / (2y)
                TensorPrimitives.Divide(dy.Span, ys, g);
                TensorPrimitives.Multiply(g, 0.5f, g);
                break;
            default: // phi' = -y^3 / 2
                TensorPrimitives.Multiply(ys, ys, g);
                TensorPrimitives.Multiply(g, ys, g);
                TensorPrimitives.Multiply(g, dy.Span, g);
                TensorPrimitives.Multiply(g, -0.5f, g);
                break;
        }
        // dL/dlog_width_k = -2 sum_n g_nk u_nk (u is not needed afterwards, so it takes g * u).
        var sums = _sums.AsSpan(0, k);
        TensorPrimitives.Multiply(g, us, us);
        sums.Clear();
        Elementwise.SumRowsInto(us, n, sums);
        TensorPrimitives.MultiplyAdd(sums, -2f, LogWidth.Grad.Span, LogWidth.Grad.Span);

        // G = g / s^2, then the two GEMMs of the expansion ||x||^2 - 2 x.c + ||c||^2.
        var a = _a.AsSpan(0, k);
        for (int i = 0; i < n; i++)
        {
            var row = g.Slice(i * k, k);
            TensorPrimitives.Multiply(row, a, row);
        }
        var c = Centres.Value.Span;
        var dc = Centres.Grad.Span;
        Gemm.Multiply(Engine, true, false, k, d, n, -2f, g, k, x.Span, d, 1f, dc, d);
        sums.Clear();
        Elementwise.SumRowsInto(g, n, sums);
        for (int j = 0; j < k; j++)
            TensorPrimitives.MultiplyAdd(c.Slice(j * d, d), 2f * sums[j], dc.Slice(j * d, d), dc.Slice(j * d, d));

        if (!NeedsInputGradient) return Tensor.Empty;
        var dx = Tensor.Ensure(ref _dx, n, InputShape);
        var dxs = dx.Span;
        Gemm.Multiply(Engine, false, false, n, d, k, -2f, g, k, c, d, 0f, dxs, d);
        var xs = x.Span;
        for (int i = 0; i < n; i++)
        {
            float rowSum = TensorPrimitives.Sum(g.Slice(i * k, k));
            TensorPrimitives.MultiplyAdd(xs.Slice(i * d, d), 2f * rowSum, dxs.Slice(i * d, d), dxs.Slice(i * d, d));
        }
        return dx;
    }

    private void Grow(int n)
    {
        if (_xNorms.Length < n) _xNorms = new float[n];
        if (_cNorms.Length < Units)
        {
            _cNorms = new float[Units];
            _a = new float[Units];
            _sums = new float[Units];
        }
    }
}
