namespace Dendrite.Tests.Optimizers;

/// <summary>
/// One or two steps of each optimizer on w = [1, -2] with gradients worked out by hand (PyTorch's update rules).
/// </summary>
public class OptimizerStepTests
{
    private static readonly float[] G1 = [0.5f, 0.25f];
    private static readonly float[] G2 = [-0.1f, 0.4f];

    private static Parameter Weight(bool decays = true) => new("weight", new Tensor([1f, -2f], 2)) { Decays = decays };

    private static float[] Run(Optimizer opt, Parameter p, params float[][] grads)
    {
        foreach (var g in grads)
        {
            g.CopyTo(p.Grad.Span);
            opt.Step([p]);
        }
        return p.Value.Span.ToArray();
    }

    private static void Close(double[] expected, float[] actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"index {i}: expected {expected[i]:G9}, got {actual[i]:G9}");
    }

    [Fact]
    public void Gradient_descent_subtracts_lr_times_gradient()
    {
        Close([0.95, -2.025], Run(new GradientDescent(0.1f), Weight(), G1));
        Close([0.96, -2.065], Run(new GradientDescent(0.1f), Weight(), G1, G2));
    }

    [Fact]
    public void Momentum_accumulates_velocity()
    {
        // v1 = g1 = [0.5, 0.25]; w = [0.95, -2.025]. v2 = 0.9 v1 + g2 = [0.35, 0.625]; w = [0.915, -2.0875].
        var opt = new Momentum(0.1f, 0.9f);
        var p = Weight();
        Close([0.95, -2.025], Run(opt, p, G1));
        Close([0.915, -2.0875], Run(opt, p, G2));
        Close([0.35, 0.625], opt.StateOf(p)[0]);
    }

    [Fact]
    public void Nesterov_looks_ahead_along_the_velocity()
    {
        // v1 = g1; w -= 0.1 (g1 + 0.9 v1) = 0.19 g1 -> [0.905, -2.0475].
        // v2 = 0.9 g1 + g2 = [0.35, 0.625]; w -= 0.1 (g2 + 0.9 v2) = [0.0215, 0.09625] -> [0.8835, -2.14375].
        var opt = new Nesterov(0.1f, 0.9f);
        var p = Weight();
        Close([0.905, -2.0475], Run(opt, p, G1));
        Close([0.8835, -2.14375], Run(opt, p, G2));
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_lr_against_the_gradient_sign()
    {
        // m1 = 0.1 g, v1 = 0.001 g^2; bias-corrected they are g and g^2, so the step is lr g / |g| (eps aside).
        Close([0.9, -2.1], Run(new Adam(0.1f), Weight(), G1), 1e-6);
    }

    [Fact]
    public void Adam_second_step_uses_bias_corrected_moments()
    {
        var got = Run(new Adam(0.1f), Weight(), G1, G2);
        double[] w = [1, -2];
        for (int i = 0; i < 2; i++)
        {
            double m = 0, v = 0;
            int t = 0;
            foreach (var g in new[] { G1[i], G2[i] })
            {
                t++;
                m = 0.9 * m + 0.1 * g;
                v = 0.999 * v + 0.001 * g * g;
                w[i] -= 0.1 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + 1e-8);
            }
        }
        // By hand for index 0: m2 = 0.035, v2 = 0.00025975; mhat = 0.184211, vhat = 0.129940; step = 0.0511026.
        Assert.Equal(0.9 - 0.0511026, w[0], 6);
        Close(w, got, 2e-6);
    }

    [Fact]
    public void RmsProp_divides_by_the_running_rms()
    {
        // s1 = 0.1 g^2, so the step is lr g / (sqrt(0.1) |g|) = 0.1 / 0.316228 = 0.316228 against the sign.
        var opt = new RmsProp(0.1f, rho: 0.9f, epsilon: 0f);
        var p = Weight();
        Close([1 - 0.3162278, -2 - 0.3162278], Run(opt, p, G1), 2e-6);
        // s2 = 0.9 s1 + 0.1 g2^2 = [0.0235, 0.021625]; step = 0.1 g2 / sqrt(s2).
        Close([1 - 0.3162278 + 0.01 / Math.Sqrt(0.0235), -2 - 0.3162278 - 0.04 / Math.Sqrt(0.021625)], Run(opt, p, G2), 2e-6);
    }

    [Fact]
    public void Coupled_weight_decay_adds_wd_times_w_to_the_gradient()
    {
        // g + 0.1 w = [0.6, 0.05]; w - 0.1 (g + 0.1 w) = [0.94, -2.005].
        Close([0.94, -2.005], Run(new GradientDescent(0.1f, weightDecay: 0.1f), Weight(), G1));
        Close([0.94, -2.005], Run(new Momentum(0.1f, 0.9f, weightDecay: 0.1f), Weight(), G1));
    }

    [Fact]
    public void Coupled_weight_decay_feeds_adams_moments()
    {
        // Adam's first step is lr sign(g + wd w): g + 1.0 w = [1.5, -1.75], so w moves by +-0.1.
        Close([0.9, -1.9], Run(new Adam(0.1f, weightDecay: 1f), Weight(), G1), 1e-6);
    }

    [Fact]
    public void AdamW_decays_the_weights_directly_before_the_adam_step()
    {
        // w (1 - lr wd) = w 0.99 = [0.99, -1.98], then Adam's first step lr sign(g) = [0.1, 0.1] -> [0.89, -2.08].
        Close([0.89, -2.08], Run(new AdamW(0.1f, weightDecay: 0.1f), Weight(), G1), 1e-6);
    }

    [Fact]
    public void AdamW_decay_is_not_in_the_moments()
    {
        // With wd = 1 coupled decay would flip the second weight's direction (see Adam above); decoupled it cannot.
        Close([0.8, -1.9], Run(new AdamW(0.1f, weightDecay: 1f), Weight(), G1), 1e-6);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    [InlineData("nesterov")]
    public void Parameters_that_do_not_decay_skip_weight_decay(string name)
    {
        Optimizer Make(float wd) => name switch
        {
            "sgd" => new GradientDescent(0.1f, wd),
            "momentum" => new Momentum(0.1f, 0.9f, wd),
            "nesterov" => new Nesterov(0.1f, 0.9f, wd),
            "adam" => new Adam(0.1f, weightDecay: wd),
            "adamw" => new AdamW(0.1f, wd),
            _ => new RmsProp(0.1f, weightDecay: wd),
        };
        var plain = Run(Make(0f), Weight(), G1, G2);
        var skipped = Run(Make(0.5f), Weight(decays: false), G1, G2);
        var decayed = Run(Make(0.5f), Weight(), G1, G2);
        Close(plain.Select(v => (double)v).ToArray(), skipped, 1e-7);
        Assert.True(Math.Abs(decayed[0] - plain[0]) > 1e-3, $"{name}: decay changed nothing ({decayed[0]} vs {plain[0]})");
    }

    [Fact]
    public void Steps_are_counted_once_per_call()
    {
        var opt = new Adam();
        Run(opt, Weight(), G1, G2, G1);
        Assert.Equal(3, opt.Steps);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Rejects_a_learning_rate_that_is_not_positive(float lr)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GradientDescent(lr));
        Assert.Contains("learning rate", e.Message);
    }

    [Fact]
    public void Rejects_negative_weight_decay_and_momentum_of_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(weightDecay: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum(0.1f, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Nesterov(0.1f, -0.5f));
    }
}
