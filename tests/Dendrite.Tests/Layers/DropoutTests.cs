namespace Dendrite.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void Gradients_match_finite_differences_with_a_frozen_mask()
    {
        var rng = new Rng(31);
        var dropout = new Dropout(0.4);
        dropout.Build([3, 4, 4], rng);
        TestData.AssertGradients(GradientCheck.CheckLayer(dropout, TestData.Random(rng, 2, 3, 4, 4), rng));
        Assert.False(dropout.Frozen); // the check restores the setting
    }

    [Fact]
    public void Without_freezing_each_training_forward_draws_a_new_mask()
    {
        var rng = new Rng(32);
        var dropout = new Dropout(0.5);
        dropout.Build([100], rng);
        var x = new Tensor(2, 100);
        x.Span.Fill(1f);
        var first = dropout.Forward(x, training: true).Span.ToArray();
        var second = dropout.Forward(x, training: true).Span.ToArray();
        Assert.NotEqual(first, second);
        dropout.Frozen = true;
        var frozen = dropout.Forward(x, training: true).Span.ToArray();
        Assert.Equal(second, dropout.Forward(x, training: true).Span.ToArray());
        Assert.Equal(second, frozen);
    }

    [Fact]
    public void Training_drops_about_p_and_scales_the_rest_evaluation_is_identity()
    {
        var rng = new Rng(33);
        var dropout = new Dropout(0.25);
        dropout.Build([1000], rng);
        var x = new Tensor(4, 1000);
        x.Span.Fill(3f);
        var y = dropout.Forward(x, training: true).Span.ToArray();
        int dropped = y.Count(v => v == 0f);
        Assert.InRange(dropped, 4000 * 0.22, 4000 * 0.28);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(4f, v, 5)); // 3 / (1 - 0.25)
        var dx = dropout.Backward(x).Span.ToArray(); // dy = 3 everywhere: the same mask applies
        Assert.Equal(y, dx);
        Assert.Equal(x.Span.ToArray(), dropout.Forward(x, training: false).Span.ToArray());
    }

    [Fact]
    public void The_mask_is_seeded_by_the_network()
    {
        float[] Run()
        {
            var net = new Sequential(new Dense(50), new Dropout(0.5)).Build([10], seed: 7);
            var x = new Tensor(3, 10);
            x.Span.Fill(1f);
            return net.Forward(x, training: true).Span.ToArray();
        }
        Assert.Equal(Run(), Run());
    }
}
