using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// k-means clustering: k-means++ seeding (each new centre drawn with probability proportional to its squared
/// distance from the nearest centre so far; Arthur and Vassilvitskii, 2007), then Lloyd's iterations (assign each
/// point to its nearest centre, move each centre to the mean of its points) until no assignment changes.
/// Distances come from <see cref="SquaredDistance"/>, one GEMM per iteration.
/// </summary>
public sealed class KMeans
{
    private KMeans(float[] centres, int[] assignment, int iterations, double inertia)
    {
        Centres = centres;
        Assignment = assignment;
        Iterations = iterations;
        Inertia = inertia;
    }

    /// <summary>The centres, [K, D].</summary>
    public float[] Centres { get; }
    /// <summary>The centre each point belongs to.</summary>
    public int[] Assignment { get; }
    /// <summary>Lloyd iterations run (the last one changed nothing unless the limit was reached).</summary>
    public int Iterations { get; }
    /// <summary>Sum of squared distances from each point to its centre.</summary>
    public double Inertia { get; }

    /// <summary>Clusters points [n, d] into k groups; the distance GEMMs run on <paramref name="engine"/> (default <see cref="Engine.Default"/>).</summary>
    public static KMeans Fit(ReadOnlySpan<float> points, int n, int d, int k, Rng rng, int maxIterations = 100, Engine? engine = null)
    {
        engine ??= Engine.Default;
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"k-means: k must be positive, got {k}");
        if (n < k) throw new InvalidDataException($"k-means: {k} centres need at least {k} points, got {n}");
        if (points.Length < n * d) throw new ArgumentException($"k-means: [{n}, {d}] needs {n * d} values, got {points.Length}");
        var centres = Seed(engine, points, n, d, k, rng);
        var assignment = new int[n];
        Array.Fill(assignment, -1);
        var dist = new float[n * k];
        var xNorms = new float[n];
        var cNorms = new float[k];
        var sums = new double[k * d];
        var counts = new int[k];
        int iteration = 0;
        double inertia = 0;
        while (true)
        {
            SquaredDistance.Compute(engine, points, n, centres, k, d, dist, xNorms, cNorms);
            bool changed = false;
            inertia = 0;
            for (int i = 0; i < n; i++)
            {
                var row = dist.AsSpan(i * k, k);
                int best = TensorPrimitives.IndexOfMin(row);
                inertia += row[best];
                if (best != assignment[i]) changed = true;
                assignment[i] = best;
            }
            if (!changed || iteration == maxIterations) break;
            iteration++;
            Array.Clear(sums);
            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                int c = assignment[i];
                counts[c]++;
                for (int p = 0; p < d; p++) sums[c * d + p] += points[i * d + p];
            }
            for (int c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                {
                    // An empty cluster takes the point farthest from its own centre.
                    int far = 0;
                    float farDist = -1;
                    for (int i = 0; i < n; i++)
                        if (dist[i * k + assignment[i]] > farDist) (far, farDist) = (i, dist[i * k + assignment[i]]);
                    dist[far * k + assignment[far]] = 0;
                    points.Slice(far * d, d).CopyTo(centres.AsSpan(c * d, d));
                    continue;
                }
                for (int p = 0; p < d; p++) centres[c * d + p] = (float)(sums[c * d + p] / counts[c]);
            }
        }
        return new KMeans(centres, assignment, iteration, inertia);
    }

    /// <summary>k-means++ seeding.</summary>
    private static float[] Seed(Engine engine, ReadOnlySpan<float> points, int n, int d, int k, Rng rng)
    {
        var centres = new float[k * d];
        var nearest = new float[n];
        var toNew = new float[n];
        var xNorms = new float[n];
        var cNorm = new float[1];
        int first = rng.NextInt(n);
        points.Slice(first * d, d).CopyTo(centres);
        SquaredDistance.Compute(engine, points, n, centres.AsSpan(0, d), 1, d, nearest, xNorms, cNorm);
        for (int c = 1; c < k; c++)
        {
            double total = 0;
            foreach (float v in nearest) total += v;
            int pick;
            if (total > 0)
            {
                double target = rng.NextDouble() * total, run = 0;
                pick = -1;
                for (int i = 0; i < n && (pick < 0 || run <= target); i++)
                {
                    if (nearest[i] <= 0) continue;
                    run += nearest[i];
                    pick = i; // the last point with weight, should rounding leave run below target
                }
            }
            else pick = rng.NextInt(n); // every point sits on a centre already: repeats are unavoidable
            var centre = centres.AsSpan(c * d, d);
            points.Slice(pick * d, d).CopyTo(centre);
            SquaredDistance.Compute(engine, points, n, centre, 1, d, toNew, xNorms, cNorm);
            TensorPrimitives.Min(nearest, toNew, nearest);
        }
        return centres;
    }
}
