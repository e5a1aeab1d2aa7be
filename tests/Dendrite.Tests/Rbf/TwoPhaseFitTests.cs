namespace Dendrite.Tests.Rbf;

public class TwoPhaseFitTests
{
    /// <summary>f(x) = sin(3x) + 0.3 x^2 at n scattered points of [-2, 2].</summary>
    internal static Dataset Sine(int n, Rng rng)
    {
        var x = new float[n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = -2f + 4f * rng.NextFloat();
            y[i] = MathF.Sin(3 * x[i]) + 0.3f * x[i] * x[i];
        }
        return new Dataset(x, [1], y, 1);
    }

    private static float MaxError(Sequential net, Dataset data)
    {
        var y = net.Forward(new Tensor(data.Features, data.Count, 1));
        float worst = 0;
        for (int i = 0; i < data.Count; i++) worst = MathF.Max(worst, MathF.Abs(y.Span[i] - data.Targets![i]));
        return worst;
    }

    [Theory]
    [InlineData(RadialKernel.Gaussian, 1e-4f)]
    [InlineData(RadialKernel.InverseMultiquadric, 1e-3f)]
    public void Interpolates_its_training_points_with_one_centre_per_point(RadialKernel kernel, float tolerance)
    {
        var train = Sine(40, new Rng(21));
        var net = new Sequential(new Dendrite.Rbf(40, kernel), new Dense(1)).Build([1], seed: 1);
        TwoPhaseFit.Run(net, train, ridge: 1e-9);
        float err = MaxError(net, train);
        Assert.True(err < tolerance, $"largest error at a training point {err}");
    }

    [Fact]
    public void Multiquadric_interpolation_is_limited_by_the_float32_normal_matrix()
    {
        // The multiquadric grows with distance, so [Phi, 1] is far worse conditioned than for the local kernels:
        // Phi^T Phi from the float32 GEMM needs jitter to factor, and refinement gets the error to about 1e-2, not 1e-4.
        var train = Sine(40, new Rng(21));
        var net = new Sequential(new Dendrite.Rbf(40, RadialKernel.Multiquadric), new Dense(1)).Build([1], seed: 1);
        TwoPhaseFit.Run(net, train, ridge: 1e-9);
        Assert.InRange(MaxError(net, train), 1e-4f, 5e-2f);
    }

    [Fact]
    public void Twelve_wide_gaussians_fit_the_curve_between_the_samples()
    {
        var train = Sine(200, new Rng(22));
        var net = new Sequential(new Dendrite.Rbf(12, scale: 3f), new Dense(1)).Build([1], seed: 1);
        var fit = TwoPhaseFit.Run(net, train);
        Assert.Equal(0, fit.Jitter);
        float err = MaxError(net, Sine(500, new Rng(99)));
        Assert.True(err < 0.02f, $"largest error on 500 fresh points {err}");
    }

    [Fact]
    public void Fits_classes_with_one_hot_targets()
    {
        // Two rings: class 0 inside radius 1, class 1 between radii 2 and 3; no line separates them, RBFs do.
        var rng = new Rng(4);
        int n = 300;
        var x = new float[2 * n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            float radius = labels[i] == 0 ? rng.NextFloat() : 2 + rng.NextFloat(), angle = 6.2831853f * rng.NextFloat();
            x[2 * i] = radius * MathF.Cos(angle);
            x[2 * i + 1] = radius * MathF.Sin(angle);
        }
        var data = new Dataset(x, [2], labels, 2);
        var net = new Sequential(new Dendrite.Rbf(16), new Dense(2), new Softmax()).Build([2], seed: 1);
        TwoPhaseFit.Run(net, data);
        var eval = Evaluator.Evaluate(net, new SoftmaxCrossEntropy(), data);
        Assert.True(eval.Accuracy > 0.98f, $"accuracy {eval.Accuracy}");
    }

    [Fact]
    public void Refuses_models_of_another_form()
    {
        var net = new Sequential(new Dendrite.Rbf(4), new Tanh(), new Dense(1)).Build([1]);
        Assert.NotNull(TwoPhaseFit.Unsuitable(net));
        var e = Assert.Throws<ArgumentException>(() => TwoPhaseFit.Run(net, Sine(10, new Rng(1))));
        Assert.Equal("two-phase fitting needs a model of the form rbf(K),dense(outputs)[,softmax]; got rbf(4),tanh,dense(1)", e.Message);
        Assert.Null(TwoPhaseFit.Unsuitable(new Sequential(new Dendrite.Rbf(4), new Dense(1)).Build([1, 2, 2])));
    }
}
