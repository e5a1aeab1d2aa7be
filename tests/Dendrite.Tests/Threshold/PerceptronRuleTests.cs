namespace Dendrite.Tests.Threshold;

public class PerceptronRuleTests
{
    internal static Dataset Xor() => new([0, 0, 0, 1, 1, 0, 1, 1], [2], [0, 1, 1, 0], 2);

    /// <summary>Points of [-1, 1]^2 labelled by the side of the line x2 = 0.5 x1 + 0.2 they lie on, none within 0.05 of it.</summary>
    private static Dataset Separable(int n, Rng rng)
    {
        var x = new List<float>();
        var labels = new List<int>();
        while (labels.Count < n)
        {
            float a = 2 * rng.NextFloat() - 1, b = 2 * rng.NextFloat() - 1;
            float side = b - 0.5f * a - 0.2f;
            if (MathF.Abs(side) < 0.05f) continue;
            x.AddRange([a, b]);
            labels.Add(side > 0 ? 1 : 0);
        }
        return new Dataset([.. x], [2], [.. labels], 2);
    }

    [Fact]
    public void Converges_on_a_linearly_separable_set_and_then_classifies_it_perfectly()
    {
        var data = Separable(200, new Rng(5));
        var dense = new Dense(1);
        var net = new Sequential(dense, new Step()).Build([2], seed: 3);
        var mistakes = new PerceptronRule().Fit(dense, data, maxEpochs: 1000);
        Assert.Equal(0, mistakes[^1]);
        Assert.True(mistakes.Count < 1000);
        Assert.True(mistakes[0] > 0);
        var y = net.Forward(new Tensor(data.Features, data.Count, 2));
        for (int i = 0; i < data.Count; i++) Assert.Equal(data.Labels[i], (int)y.Span[i]);
    }

    [Fact]
    public void Learns_AND_in_a_few_passes()
    {
        var and = new Dataset([0, 0, 0, 1, 1, 0, 1, 1], [2], [0, 0, 0, 1], 2);
        var dense = new Dense(1);
        new Sequential(dense).Build([2]);
        var mistakes = new PerceptronRule().Fit(dense, and, maxEpochs: 100);
        Assert.Equal(0, mistakes[^1]);
        Assert.InRange(mistakes.Count, 2, 20);
    }

    [Fact]
    public void Never_settles_on_XOR()
    {
        var dense = new Dense(1);
        new Sequential(dense).Build([2], seed: 1);
        var mistakes = new PerceptronRule().Fit(dense, Xor(), maxEpochs: 500);
        Assert.Equal(500, mistakes.Count);
        Assert.All(mistakes, m => Assert.InRange(m, 1, 4));
    }

    [Fact]
    public void Trains_one_unit_per_class_on_one_hot_targets()
    {
        // Three classes in 1-D thirds are not one-vs-rest separable for the middle class... but these are: x < -0.3, > 0.3, and the sign of a second feature.
        var rng = new Rng(8);
        int n = 90;
        var x = new float[2 * n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 3;
            x[2 * i] = labels[i] switch { 0 => -1 - rng.NextFloat(), 1 => 1 + rng.NextFloat(), _ => 0.2f * rng.NextFloat() - 0.1f };
            x[2 * i + 1] = labels[i] == 2 ? 1 + rng.NextFloat() : -1 - rng.NextFloat();
        }
        var dense = new Dense(3);
        new Sequential(dense).Build([2], seed: 2);
        var mistakes = new PerceptronRule(0.5f).Fit(dense, new Dataset(x, [2], labels, 3), maxEpochs: 1000);
        Assert.Equal(0, mistakes[^1]);
    }
}
