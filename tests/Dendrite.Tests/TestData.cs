namespace Dendrite.Tests;

/// <summary>Random inputs and the assertion the gradient tests share.</summary>
internal static class TestData
{
    public static Tensor Random(Rng rng, params int[] shape) => Random(rng, -1f, 1f, shape);

    /// <summary>The values' bit patterns, to compare floats for bit-identity (NaNs and signed zeros included).</summary>
    public static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];

    /// <summary>Every sample that <paramref name="streamed"/> reads has the bits of the same sample of <paramref name="loaded"/>.</summary>
    public static void AssertSameSamples(Dataset loaded, Dataset streamed)
    {
        var x = new float[loaded.SampleSize];
        for (int i = 0; i < loaded.Count; i++)
        {
            streamed.ReadSample(i, x);
            Assert.Equal(Bits(loaded.Sample(i)), Bits(x));
        }
    }

    public static Tensor Random(Rng rng, float low, float high, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.Uniform(t.Span, low, high);
        return t;
    }

    /// <summary>Values kept at least <paramref name="gap"/> away from <paramref name="kink"/>, so ±h never crosses it.</summary>
    public static Tensor AwayFrom(Rng rng, float kink, float gap, params int[] shape)
    {
        var t = Random(rng, shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
            if (MathF.Abs(s[i] - kink) < gap) s[i] = kink + (s[i] >= kink ? gap : -gap) * (1 + rng.NextFloat());
        return t;
    }

    /// <summary>One-hot targets for random classes.</summary>
    public static Tensor OneHot(Rng rng, int n, int classes)
    {
        var t = new Tensor(n, classes);
        for (int i = 0; i < n; i++) t.Span[i * classes + rng.NextInt(classes)] = 1f;
        return t;
    }

    public static void AssertGradients(IEnumerable<GradientCheck.Result> results, double tolerance = 1e-2)
    {
        foreach (var r in results)
            Assert.True(r.MaxRelativeError < tolerance,
                $"{r.Layer} {r.Tensor}: relative error {r.MaxRelativeError:E2} (analytic {r.Analytic:G6}, numeric {r.Numeric:G6})");
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1f, MathF.Abs(expected[i])),
                $"index {i}: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>The textbook matrix product in double: the reference the Winograd and linear-stack tests compare against.</summary>
    public static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                for (int p = 0; p < k; p++) c[i, j] += a[i, p] * b[p, j];
        return c;
    }
}
