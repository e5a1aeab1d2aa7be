using System.Diagnostics;
using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// The classic two-phase fit of an RBF network <c>[flatten,] rbf(K), dense(O)[, softmax]</c>: first the centres by
/// k-means and the widths from them (<see cref="RbfCentres"/>), then the output layer in one linear solve,
/// minimising (1/N) ||Phi W^T + 1 b^T - Y||^2 + lambda ||W||^2 over the N training samples, where Phi [N, K] holds the
/// RBF outputs and Y the targets (one-hot for classes). With A = [Phi, 1] the normal equations are
/// (A^T A + N lambda I') [W^T; b^T] = A^T Y, I' the identity without the bias entry; A^T A and A^T Y come from GEMMs
/// over chunks of the data, summed in double, and the system is solved by Cholesky in double, followed by a few steps
/// of iterative refinement against the float32 residual.
/// </summary>
public sealed class TwoPhaseFit
{
    private const int Chunk = 1024;

    private TwoPhaseFit(double centreSeconds, double solveSeconds, double ridge, double jitter)
    {
        Jitter = jitter;
        CentreSeconds = centreSeconds;
        SolveSeconds = solveSeconds;
        Ridge = ridge;
    }

    /// <summary>Time of phase 1 (k-means and widths).</summary>
    public double CentreSeconds { get; }
    /// <summary>Time of phase 2 (accumulating the normal equations and solving them).</summary>
    public double SolveSeconds { get; }
    /// <summary>lambda, the penalty on the output weights (not the bias) that <see cref="Run"/> was given.</summary>
    public double Ridge { get; }
    /// <summary>What had to be added to the diagonal for the normal matrix, summed from float32 products, to factor (0 almost always).</summary>
    public double Jitter { get; }

    /// <summary>Null when the network has the form two-phase fitting needs; otherwise why not.</summary>
    public static string? Unsuitable(Sequential net)
    {
        var layers = net.Layers.SkipWhile(l => l is Flatten).ToList();
        bool form = layers.Count is 2 or 3 && layers[0] is Rbf && layers[1] is Dense && (layers.Count == 2 || layers[2] is Softmax);
        return form ? null : $"two-phase fitting needs a model of the form rbf(K),dense(outputs)[,softmax]; got {net.Spec}";
    }

    /// <summary>Fits the centres, widths and output layer of <paramref name="net"/> to the training data.</summary>
    public static TwoPhaseFit Run(Sequential net, Dataset train, double ridge = 1e-6, ulong seed = 1)
    {
        if (Unsuitable(net) is { } why) throw new ArgumentException(why);
        if (!(ridge >= 0)) throw new ArgumentOutOfRangeException(nameof(ridge), $"ridge must be zero or more, got {ridge}");
        var clock = Stopwatch.StartNew();
        RbfCentres.Initialise(net, train, seed);
        double centreSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        int r = net.Layers.ToList().FindIndex(l => l is Rbf);
        var dense = (Dense)net.Layers[r + 1];
        double jitter = SolveOutputLayer(net, r, dense, train, ridge);
        return new TwoPhaseFit(centreSeconds, clock.Elapsed.TotalSeconds, ridge, jitter);
    }

    private static double SolveOutputLayer(Sequential net, int rbfIndex, Dense dense, Dataset train, double ridge)
    {
        int k = dense.Inputs, o = dense.Units, n = train.Count;
        int size = dense.HasBias ? k + 1 : k; // unknowns per output: the weights, then the bias
        var normal = new double[size * size];
        var rhs = new double[size * o];
        var gram = new float[k * k];
        var cross = new float[k * o];
        var loader = new DataLoader(train, Chunk);
        for (int b = 0; b < loader.BatchCount; b++)
        {
            var batch = loader.GetBatch(b);
            var phi = net.Forward(batch.Inputs, training: false, count: rbfIndex + 1).Span;
            var y = batch.Targets.Span;
            int m = batch.Count;
            Gemm.Multiply(net.Engine, true, false, k, k, m, 1f, phi, k, phi, k, 0f, gram, k);
            Gemm.Multiply(net.Engine, true, false, k, o, m, 1f, phi, k, y, o, 0f, cross, o);
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++) normal[i * size + j] += gram[i * k + j];
                for (int c = 0; c < o; c++) rhs[i * o + c] += cross[i * o + c];
            }
            if (!dense.HasBias) continue;
            for (int s = 0; s < m; s++)
            {
                for (int i = 0; i < k; i++) normal[i * size + k] += phi[s * k + i];
                for (int c = 0; c < o; c++) rhs[k * o + c] += y[s * o + c];
            }
        }
        if (dense.HasBias)
        {
            for (int i = 0; i < k; i++) normal[k * size + i] = normal[i * size + k];
            normal[k * size + k] = n;
        }
        for (int i = 0; i < k; i++) normal[i * size + i] += n * ridge;

        var factor = (double[])normal.Clone();
        double jitter = FactorWithJitter(factor, normal, size);
        var w = (double[])rhs.Clone();
        Cholesky.Solve(factor, size, w, o);
        Store(w, dense, k, o);

        // Refinement: the float32 A^T A (and any jitter) perturb the system, so solve again for the correction
        // A^T (Y - A w) - N lambda W', the residual of the exact system, until the fit's squared error stops falling
        // by 1%; the best weights seen are kept.
        var best = (double[])w.Clone();
        double bestError = double.PositiveInfinity, previous = double.PositiveInfinity;
        for (int step = 0; ; step++)
        {
            var (correction, squaredError) = Residual(net, rbfIndex, dense, train, w, ridge);
            if (squaredError < bestError) (bestError, best) = (squaredError, (double[])w.Clone());
            if (step == MaxRefinements || !(squaredError < 0.99 * previous)) break;
            previous = squaredError;
            Cholesky.Solve(factor, size, correction, o);
            for (int i = 0; i < w.Length; i++) w[i] += correction[i];
            Store(w, dense, k, o);
        }
        Store(best, dense, k, o);
        return jitter;
    }

    private const int MaxRefinements = 6;

    /// <summary>
    /// Factors the normal matrix; when float32 rounding has left it not quite positive definite, adds the smallest
    /// jitter to the diagonal (from 1e-12 of its mean, by factors of 10) that lets it factor, and returns that jitter.
    /// </summary>
    private static double FactorWithJitter(double[] factor, double[] normal, int size)
    {
        double mean = 0;
        for (int i = 0; i < size; i++) mean += normal[i * size + i];
        mean /= size;
        for (double jitter = 0; ; jitter = jitter == 0 ? 1e-12 * mean : jitter * 10)
        {
            Array.Copy(normal, factor, normal.Length);
            for (int i = 0; i < size; i++) factor[i * size + i] += jitter;
            try
            {
                Cholesky.Factor(factor, size);
                return jitter;
            }
            catch (ArithmeticException) when (jitter < 1e-2 * mean) { }
        }
    }

    /// <summary>A^T (Y - A w) - N lambda W' and the fit's sum of squared errors, for the weights now in the dense layer.</summary>
    private static (double[] Correction, double SquaredError) Residual(Sequential net, int rbfIndex, Dense dense, Dataset train, double[] w, double ridge)
    {
        int k = dense.Inputs, o = dense.Units, n = train.Count;
        int size = dense.HasBias ? k + 1 : k;
        var correction = new double[size * o];
        var cross = new float[k * o];
        var residual = new float[Chunk * o];
        double squaredError = 0;
        var loader = new DataLoader(train, Chunk);
        for (int b = 0; b < loader.BatchCount; b++)
        {
            var batch = loader.GetBatch(b);
            int m = batch.Count;
            var phi = net.Forward(batch.Inputs, training: false, count: rbfIndex + 1);
            var prediction = dense.Forward(phi, training: false).Span;
            var y = batch.Targets.Span;
            for (int i = 0; i < m * o; i++)
            {
                residual[i] = y[i] - prediction[i];
                squaredError += (double)residual[i] * residual[i];
            }
            Gemm.Multiply(net.Engine, true, false, k, o, m, 1f, phi.Span, k, residual, o, 0f, cross, o);
            for (int i = 0; i < k * o; i++) correction[i] += cross[i];
            if (!dense.HasBias) continue;
            for (int s = 0; s < m; s++)
                for (int c = 0; c < o; c++) correction[k * o + c] += residual[s * o + c];
        }
        for (int i = 0; i < k; i++)
            for (int c = 0; c < o; c++) correction[i * o + c] -= n * ridge * w[i * o + c];
        return (correction, squaredError);
    }

    /// <summary>w [K(+1), O] into the dense layer's weight [O, K] and bias [O].</summary>
    private static void Store(double[] w, Dense dense, int k, int o)
    {
        var weight = dense.Weight.Value.Span;
        for (int c = 0; c < o; c++)
            for (int i = 0; i < k; i++) weight[c * k + i] = (float)w[i * o + c];
        if (dense.Bias is { } bias)
            for (int c = 0; c < o; c++) bias.Value.Span[c] = (float)w[k * o + c];
    }
}
