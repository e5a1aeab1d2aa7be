namespace Dendrite.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void Softmax_and_cross_entropy_are_fused_in_a_training_step()
    {
        // Dense(3) + Softmax: after one step the bias gradient must be the mean over the batch of softmax(z) - y.
        var rng = new Rng(41);
        var net = new Sequential(new Dense(3), new Softmax()).Build([4], seed: 2);
        var dense = (Dense)net.Layers[0];
        rng.Uniform(dense.Bias!.Value.Span, -1f, 1f);
        var data = new Dataset(TestData.Random(rng, 5, 4).Span.ToArray(), [4], [0, 2, 1, 1, 0], 3);
        var batch = new DataLoader(data, 5).GetBatch(0);

        var z = dense.Forward(batch.Inputs, training: false).Span.ToArray();
        var p = new float[z.Length];
        Kernels.Elementwise.SoftmaxRows(z, p, 5);
        var expected = new float[3];
        for (int i = 0; i < 5; i++)
            for (int k = 0; k < 3; k++) expected[k] += (p[i * 3 + k] - batch.Targets.Span[i * 3 + k]) / 5;

        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new GradientDescent(0.1f));
        float loss = trainer.TrainStep(batch);
        TestData.AssertClose(expected, dense.Bias.Grad.Span, 1e-5f);
        double ce = 0;
        for (int i = 0; i < 5; i++) ce -= Math.Log(p[i * 3 + data.Labels[i]]) / 5;
        Assert.Equal(ce, loss, 5);
    }

    [Fact]
    public void Evaluate_reports_accuracy_and_loss_of_the_softmax_output()
    {
        // A hand-made classifier: class = argmax of the first two features.
        var net = new Sequential(new Dense(2), new Softmax()).Build([2], seed: 1);
        var dense = (Dense)net.Layers[0];
        new float[] { 1, 0, 0, 1 }.CopyTo(dense.Weight.Value.Span);
        var data = new Dataset([2f, 0f, 0f, 3f, 1f, 0f, 5f, 0f], [2], [0, 1, 1, 0], 2);
        var eval = new Trainer(net, new SoftmaxCrossEntropy(), new Adam()).Evaluate(data, batchSize: 3);
        Assert.Equal(0.75f, eval.Accuracy);
        // -log softmax: [2,0]->0 0.126928; [0,3]->1 0.048587; [1,0]->1 1.313262; [5,0]->0 0.006715
        Assert.Equal((0.126928 + 0.048587 + 1.313262 + 0.006715) / 4, eval.Loss, 5);
    }

    [Fact]
    public void A_network_must_be_built_before_training()
    {
        Assert.Throws<InvalidOperationException>(() => new Trainer(new Sequential(new Dense(2)), new MeanSquaredError(), new Adam()));
    }

    [Fact]
    public void Divergence_is_reported_with_its_epoch_and_step()
    {
        var (train, _) = Synthetic.Images(64, 8, seed: 2);
        var net = new Sequential(new Dense(16), new ReLU(), new Dense(10), new Softmax()).Build(train.SampleShape, seed: 1);
        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new GradientDescent(1e30f));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(train, null, epochs: 1, batchSize: 8).ToList());
        Assert.Equal(1, e.Epoch);
        Assert.InRange(e.Step, 2, 8);
        Assert.Contains("--lr", e.Message);
    }
}
