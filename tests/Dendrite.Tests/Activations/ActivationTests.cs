namespace Dendrite.Tests.Activations;

/// <summary>
/// Every elementwise activation: backprop against central differences, and forward and derivative
/// against an independent float64 formula plus a few values worked out by hand.
/// </summary>
public class ActivationTests
{
    /// <summary>Spec name, a fresh layer, f(x) and f'(x) in double, and the kink to keep away from (NaN: smooth).</summary>
    public static readonly Dictionary<string, (Func<Activation> Make, Func<double, double> F, Func<double, double> D, double Kink)> Cases = new()
    {
        ["linear"] = (() => new Linear(), x => x, _ => 1, double.NaN),
        ["step"] = (() => new Step(), x => x >= 0 ? 1 : 0, _ => 0, 0),
        ["sigmoid"] = (() => new Sigmoid(), x => 1 / (1 + Math.Exp(-x)), x => Math.Exp(-x) / Math.Pow(1 + Math.Exp(-x), 2), double.NaN),
        ["tanh"] = (() => new Tanh(), Math.Tanh, x => 1 / Math.Pow(Math.Cosh(x), 2), double.NaN),
        ["relu"] = (() => new ReLU(), x => Math.Max(0, x), x => x > 0 ? 1 : 0, 0),
        ["leakyrelu"] = (() => new LeakyReLU(), x => x > 0 ? x : 0.01 * x, x => x > 0 ? 1 : 0.01, 0),
        ["leakyrelu(0.2)"] = (() => new LeakyReLU(0.2f), x => x > 0 ? x : 0.2 * x, x => x > 0 ? 1 : 0.2, 0),
        ["elu"] = (() => new Elu(), x => x > 0 ? x : Math.Exp(x) - 1, x => x > 0 ? 1 : Math.Exp(x), 0),
        ["elu(0.5)"] = (() => new Elu(0.5f), x => x > 0 ? x : 0.5 * (Math.Exp(x) - 1), x => x > 0 ? 1 : 0.5 * Math.Exp(x), 0),
        ["gaussian"] = (() => new Gaussian(), x => Math.Exp(-x * x), x => -2 * x * Math.Exp(-x * x), double.NaN),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    private static Activation Built(string name, int features = 6)
    {
        var layer = Cases[name].Make();
        layer.Build([features], new Rng(1));
        return layer;
    }

    /// <summary>Inputs in [-3, 3], at least 0.1 from the kink when there is one, so x ± h never crosses it.</summary>
    private static Tensor Inputs(string name, Rng rng, int n, int features)
    {
        double kink = Cases[name].Kink;
        var x = double.IsNaN(kink) ? TestData.Random(rng, n, features) : TestData.AwayFrom(rng, (float)kink, 0.1f, n, features);
        Scale(x.Span, 3f);
        return x;
    }

    private static void Scale(Span<float> s, float by)
    {
        for (int i = 0; i < s.Length; i++) s[i] *= by;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradients_match_finite_differences(string name)
    {
        var rng = new Rng(11);
        var layer = Built(name);
        var results = GradientCheck.CheckLayer(layer, Inputs(name, rng, 4, 6), rng, positionsPerTensor: 24);
        TestData.AssertGradients(results);
        Assert.All(results, r => Assert.True(r.Checked >= 12, $"{r.Layer}: only {r.Checked} of 24 positions checked"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_and_derivative_match_the_formula(string name)
    {
        var rng = new Rng(5);
        var layer = Built(name, 8);
        var x = Inputs(name, rng, 3, 8);
        var dy = TestData.Random(rng, 3, 8);
        var y = layer.Forward(x, training: false).Span.ToArray();
        var dx = layer.Backward(dy).Span.ToArray();
        var (_, f, d, _) = Cases[name];
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x.Span[i];
            Assert.True(Math.Abs(y[i] - f(xi)) <= 1e-6 * Math.Max(1, Math.Abs(f(xi))), $"{name}({xi}) = {y[i]}, expected {f(xi)}");
            double expected = d(xi) * dy.Span[i];
            Assert.True(Math.Abs(dx[i] - expected) <= 1e-6, $"{name}'({xi}) * {dy.Span[i]} = {dx[i]}, expected {expected}");
        }
    }

    [Theory]
    [InlineData("sigmoid", 0f, 0.5f, 0.25f)]
    [InlineData("sigmoid", 2f, 0.880797f, 0.104994f)]
    [InlineData("tanh", 0.5f, 0.462117f, 0.786448f)]
    [InlineData("relu", -2f, 0f, 0f)]
    [InlineData("relu", 3f, 3f, 1f)]
    [InlineData("leakyrelu", -2f, -0.02f, 0.01f)]
    [InlineData("elu", -1f, -0.632121f, 0.367879f)]
    [InlineData("elu", 2f, 2f, 1f)]
    [InlineData("gaussian", 1f, 0.367879f, -0.735759f)]
    [InlineData("gaussian", 0f, 1f, 0f)]
    [InlineData("step", -0.5f, 0f, 0f)]
    [InlineData("step", 0f, 1f, 0f)]
    [InlineData("step", 0.5f, 1f, 0f)]
    [InlineData("linear", -7f, -7f, 1f)]
    public void Known_values(string name, float x, float y, float slope)
    {
        var layer = Built(name, 1);
        var output = layer.Forward(new Tensor([x], 1, 1), training: false);
        Assert.Equal(y, output.Span[0], 5e-6f);
        var dx = layer.Backward(new Tensor([1f], 1, 1));
        Assert.Equal(slope, dx.Span[0], 5e-6f);
    }

    [Fact]
    public void Plain_step_sends_exactly_zero_gradient()
    {
        var rng = new Rng(2);
        var layer = new Step();
        layer.Build([10], rng);
        layer.Forward(TestData.Random(rng, 4, 10), training: true);
        var dx = layer.Backward(TestData.Random(rng, 4, 10));
        Assert.All(dx.Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Straight_through_step_passes_dy_where_x_is_within_one()
    {
        var layer = new Step(straightThrough: true);
        layer.Build([6], new Rng(1));
        var x = new Tensor([-2f, -1f, -0.3f, 0f, 1f, 1.5f], 1, 6);
        var dy = new Tensor([10f, 20f, 30f, 40f, 50f, 60f], 1, 6);
        var y = layer.Forward(x, training: true);
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f], y.Span.ToArray());
        Assert.Equal([0f, 20f, 30f, 40f, 50f, 0f], layer.Backward(dy).Span.ToArray());
        Assert.Equal("step(ste)", layer.Spec);
    }

    [Fact]
    public void Straight_through_estimator_is_not_the_true_gradient()
    {
        // The STE is a deliberate stand-in: the finite-difference check must see through it.
        var rng = new Rng(3);
        var layer = new Step(straightThrough: true);
        layer.Build([6], rng);
        var x = TestData.AwayFrom(rng, 0f, 0.1f, 4, 6);
        var results = GradientCheck.CheckLayer(layer, x, rng);
        Assert.True(results[^1].MaxRelativeError > 0.5, $"relative error {results[^1].MaxRelativeError}");
    }

    [Fact]
    public void All_lists_every_elementwise_activation_once_by_spec_name()
    {
        var names = Activation.All().Select(a => a.Name).ToArray();
        Assert.Equal(["linear", "step", "sigmoid", "tanh", "relu", "leakyrelu", "elu", "gaussian"], names);
    }
}
