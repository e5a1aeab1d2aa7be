namespace Dendrite.Tests.Optimizers;

public class ScheduleTests
{
    [Fact]
    public void Step_decay_multiplies_by_gamma_every_step_size_epochs()
    {
        var s = new StepDecay(2, 0.5f);
        Assert.Equal([0.8f, 0.8f, 0.4f, 0.4f, 0.2f], Enumerable.Range(0, 5).Select(e => s.Rate(e, 0.8f)).ToArray());
    }

    [Fact]
    public void Cosine_decay_follows_half_a_cosine_and_then_stays_at_the_minimum()
    {
        var s = new CosineDecay(4);
        double[] expected = [1, 0.8535534, 0.5, 0.1464466, 0, 0];
        for (int e = 0; e < expected.Length; e++) Assert.Equal(expected[e], s.Rate(e, 1f), 6);
        Assert.Equal(0.1 + 0.9 * 0.5, new CosineDecay(4, minRate: 0.1f).Rate(2, 1f), 6);
    }

    [Fact]
    public void Constant_rate_is_the_base_rate()
    {
        Assert.Equal(0.3f, new ConstantRate().Rate(7, 0.3f));
    }

    [Fact]
    public void Trainer_applies_the_schedule_each_epoch_and_restores_the_base_rate()
    {
        var (train, _) = Synthetic.Images(64, 16, seed: 3);
        var net = new Sequential(new Dense(10), new Softmax()).Build(train.SampleShape, seed: 1);
        var opt = new GradientDescent(0.2f);
        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), opt) { Schedule = new StepDecay(1, 0.5f) };
        var history = trainer.Fit(train, null, epochs: 3, batchSize: 32).ToList();
        Assert.Equal([0.2f, 0.1f, 0.05f], history.Select(m => m.LearningRate).ToArray());
        Assert.Equal(0.2f, opt.LearningRate);
    }
}
