namespace Dendrite.Tests.Training;

/// <summary>The lecture's "linear: useless": dense layers joined by the identity collapse into one dense layer.</summary>
public class LinearStackTests
{
    [Fact]
    public void Stacked_linear_layers_are_one_dense_layer()
    {
        var rng = new Rng(31);
        var stack = new Sequential(new Dense(4), new Linear(), new Dense(3), new Linear(), new Dense(2)).Build([5], seed: 9);
        var dense = stack.Layers.OfType<Dense>().ToArray();
        foreach (var d in dense) rng.Uniform(d.Bias!.Value.Span, -1f, 1f); // biases start at zero; make them count

        // W = W3 W2 W1, b = W3 (W2 b1 + b2) + b3, composed in double.
        double[,] w = ToMatrix(dense[0].Weight);
        double[] b = dense[0].Bias!.Value.Span.ToArray().Select(v => (double)v).ToArray();
        foreach (var d in dense.Skip(1))
        {
            var wd = ToMatrix(d.Weight);
            w = TestData.Multiply(wd, w);
            b = Add(Apply(wd, b), d.Bias!.Value.Span.ToArray());
        }

        var one = new Sequential(new Dense(2)).Build([5], seed: 1);
        var single = (Dense)one.Layers[0];
        for (int i = 0; i < 2; i++)
        {
            single.Bias!.Value.Span[i] = (float)b[i];
            for (int j = 0; j < 5; j++) single.Weight.Value.Span[i * 5 + j] = (float)w[i, j];
        }

        var x = TestData.Random(rng, -2f, 2f, 7, 5);
        var expected = one.Forward(x).Span.ToArray();
        var actual = stack.Forward(x).Span.ToArray();
        TestData.AssertClose(expected, actual, 1e-5f);
        Assert.Contains(actual, v => MathF.Abs(v) > 0.1f); // not trivially zero
    }

    [Fact]
    public void A_nonlinearity_breaks_the_collapse()
    {
        // Same weights with relu in place of linear: outputs must differ from the composed map somewhere.
        var rng = new Rng(32);
        var linear = new Sequential(new Dense(8), new Linear(), new Dense(2)).Build([3], seed: 4);
        var relu = new Sequential(new Dense(8), new ReLU(), new Dense(2)).Build([3], seed: 4);
        var x = TestData.Random(rng, -2f, 2f, 16, 3);
        var a = linear.Forward(x).Span.ToArray();
        var c = relu.Forward(x).Span.ToArray();
        Assert.Contains(Enumerable.Range(0, a.Length), i => MathF.Abs(a[i] - c[i]) > 1e-3f);
    }

    private static double[,] ToMatrix(Parameter p)
    {
        int rows = p.Value[0], cols = p.Value[1];
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = p.Value.Span[i * cols + j];
        return m;
    }


    private static double[] Apply(double[,] a, double[] v)
    {
        var r = new double[a.GetLength(0)];
        for (int i = 0; i < r.Length; i++)
            for (int j = 0; j < v.Length; j++) r[i] += a[i, j] * v[j];
        return r;
    }

    private static double[] Add(double[] a, float[] b) => a.Select((v, i) => v + b[i]).ToArray();
}
