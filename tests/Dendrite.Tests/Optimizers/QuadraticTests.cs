namespace Dendrite.Tests.Optimizers;

/// <summary>Every optimizer, run on f(w) = 1/2 sum a_i (w_i - c_i)^2, must bring f close to its minimum 0.</summary>
public class QuadraticTests
{
    private static readonly float[] A = [1f, 4f, 0.5f, 2f];
    private static readonly float[] C = [3f, -1f, 2f, 0.5f];

    private static double F(ReadOnlySpan<float> w)
    {
        double f = 0;
        for (int i = 0; i < w.Length; i++) f += 0.5 * A[i] * (w[i] - C[i]) * (w[i] - C[i]);
        return f;
    }

    public static TheoryData<string> Names => ["sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Reduces_a_quadratic_to_near_its_minimum(string name)
    {
        Optimizer opt = name switch
        {
            "sgd" => new GradientDescent(0.2f),
            "momentum" => new Momentum(0.05f, 0.9f),
            "nesterov" => new Nesterov(0.05f, 0.9f),
            "adam" => new Adam(0.05f),
            "adamw" => new AdamW(0.05f, weightDecay: 1e-4f),
            _ => new RmsProp(0.02f),
        };
        var p = new Parameter("weight", new Tensor(4));
        double f0 = F(p.Value.Span);
        for (int step = 0; step < 300; step++)
        {
            var w = p.Value.Span;
            for (int i = 0; i < 4; i++) p.Grad.Span[i] = A[i] * (w[i] - C[i]);
            opt.Step([p]);
        }
        double f = F(p.Value.Span);
        Assert.True(f < 1e-3 * f0, $"{name}: f went from {f0} to {f}");
    }
}
