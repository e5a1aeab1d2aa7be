namespace Dendrite.Tests.Losses;

public class LossTests
{
    [Fact]
    public void Mse_gradient_matches_finite_differences()
    {
        var rng = new Rng(21);
        TestData.AssertGradients([GradientCheck.CheckLoss(new MeanSquaredError(), TestData.Random(rng, 4, 3), TestData.Random(rng, 4, 3), rng)]);
    }

    [Fact]
    public void Cross_entropy_gradient_matches_finite_differences()
    {
        var rng = new Rng(22);
        var logits = TestData.Random(rng, -3f, 3f, 4, 5);
        TestData.AssertGradients([GradientCheck.CheckLoss(new SoftmaxCrossEntropy(), logits, TestData.OneHot(rng, 4, 5), rng)]);
    }

    [Fact]
    public void Cross_entropy_gradient_matches_finite_differences_for_soft_targets()
    {
        var rng = new Rng(23);
        var target = TestData.Random(rng, 0f, 1f, 3, 4);
        Kernels.Elementwise.SoftmaxRows(target.Span, target.Span, 3);
        TestData.AssertGradients([GradientCheck.CheckLoss(new SoftmaxCrossEntropy(), TestData.Random(rng, 3, 4), target, rng)]);
    }

    [Fact]
    public void Binary_cross_entropy_gradient_matches_finite_differences()
    {
        var rng = new Rng(24);
        var p = TestData.Random(rng, 0.05f, 0.95f, 4, 3);
        var y = TestData.Random(rng, 0f, 1f, 4, 3);
        for (int i = 0; i < 6; i++) y.Span[i] = MathF.Round(y.Span[i]);
        TestData.AssertGradients([GradientCheck.CheckLoss(new BinaryCrossEntropy(), p, y, rng)]);
    }

    [Fact]
    public void Mse_is_half_the_squared_error_per_sample_averaged_over_the_batch()
    {
        // sample 1: 1/2 (1^2 + 0^2) = 0.5; sample 2: 1/2 (0^2 + 2^2) = 2; mean 1.25.
        var p = new Tensor([1f, 2f, 3f, 4f], 2, 2);
        var y = new Tensor([0f, 2f, 3f, 6f], 2, 2);
        var g = new Tensor(2, 2);
        Assert.Equal(1.25, new MeanSquaredError().Compute(p, y, g), 12);
        Assert.Equal([0.5f, 0f, 0f, -1f], g.Span.ToArray()); // (yhat - y) / N
    }

    [Fact]
    public void Cross_entropy_of_known_logits()
    {
        // -log softmax([1, 2, 3])_2 = 0.4076059644; -log softmax([0, 0, 0])_0 = log 3 = 1.0986122887.
        var z = new Tensor([1f, 2f, 3f, 0f, 0f, 0f], 2, 3);
        var y = new Tensor([0f, 0f, 1f, 1f, 0f, 0f], 2, 3);
        var g = new Tensor(2, 3);
        Assert.Equal((0.4076059644 + 1.0986122887) / 2, new SoftmaxCrossEntropy().Compute(z, y, g), 6);
        TestData.AssertClose(
            [0.0900306f / 2, 0.2447285f / 2, (0.6652410f - 1) / 2, (1 / 3f - 1) / 2, 1 / 6f, 1 / 6f], g.Span, 1e-6f);
    }

    [Fact]
    public void Cross_entropy_is_finite_for_huge_logits()
    {
        var z = new Tensor([1e4f, 0f, -1e4f, 1e4f, 0f, -1e4f], 2, 3);
        var y = new Tensor([1f, 0f, 0f, 0f, 1f, 0f], 2, 3);
        var g = new Tensor(2, 3);
        double loss = new SoftmaxCrossEntropy().Compute(z, y, g);
        Assert.Equal((0 + 1e4) / 2, loss, 3); // right class: 0; wrong class by 1e4: 1e4
        Assert.Equal([0f, 0f, 0f, 0.5f, -0.5f, 0f], g.Span.ToArray());
    }

    [Fact]
    public void Fused_gradient_is_softmax_minus_target_over_batch()
    {
        var rng = new Rng(25);
        var z = TestData.Random(rng, -4f, 4f, 5, 7);
        var y = TestData.OneHot(rng, 5, 7);
        var g = new Tensor(5, 7);
        new SoftmaxCrossEntropy().Compute(z, y, g);
        var expected = new float[35];
        Kernels.Elementwise.SoftmaxRows(z.Span, expected, 5);
        for (int i = 0; i < 35; i++) expected[i] = (expected[i] - y.Span[i]) / 5;
        TestData.AssertClose(expected, g.Span, 1e-6f);
    }

    [Fact]
    public void Fused_gradient_equals_softmax_backward_of_the_unfused_cross_entropy()
    {
        // The unfused route: L = -mean sum y log p with p = softmax(z), dL/dp = -y / p / N, through Softmax.Backward.
        var rng = new Rng(26);
        int n = 3, k = 4;
        var z = TestData.Random(rng, -2f, 2f, n, k);
        var y = TestData.OneHot(rng, n, k);
        var softmax = new Softmax();
        softmax.Build([k], rng);
        var p = softmax.Forward(z, training: true);
        var dp = new Tensor(n, k);
        for (int i = 0; i < n * k; i++) dp.Span[i] = -y.Span[i] / p.Span[i] / n;
        var unfused = softmax.Backward(dp);
        var fused = new Tensor(n, k);
        new SoftmaxCrossEntropy().Compute(z, y, fused);
        TestData.AssertClose(fused.Span, unfused.Span, 1e-5f);
    }

    [Fact]
    public void Binary_cross_entropy_of_known_probabilities()
    {
        // -(log 0.9 + log 0.8) = 0.3285040670; -(log 0.6 + log 0.5) = 1.2039728043.
        var p = new Tensor([0.9f, 0.2f, 0.6f, 0.5f], 2, 2);
        var y = new Tensor([1f, 0f, 1f, 0f], 2, 2);
        var g = new Tensor(2, 2);
        Assert.Equal((0.3285040670 + 1.2039728043) / 2, new BinaryCrossEntropy().Compute(p, y, g), 6);
        // (p - y) / (p (1 - p)) / N
        TestData.AssertClose([-1f / 0.9f / 2, 1f / 0.8f / 2, -1f / 0.6f / 2, 1f / 0.5f / 2], g.Span, 1e-5f);
    }

    [Fact]
    public void Binary_cross_entropy_stays_finite_at_certain_wrong_answers()
    {
        var p = new Tensor([0f, 1f], 1, 2);
        var y = new Tensor([1f, 0f], 1, 2);
        var g = new Tensor(1, 2);
        double loss = new BinaryCrossEntropy().Compute(p, y, g);
        Assert.InRange(loss, 30, 33); // p clamped to [1e-7, 1 - 1e-7]: about -2 log 1e-7 = 32.2
        Assert.All(g.Span.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Mismatched_shapes_name_both()
    {
        var e = Assert.Throws<ShapeException>(() => new MeanSquaredError().Compute(new Tensor(2, 3), new Tensor(2, 4), null));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[2, 4]", e.Message);
    }

    /// <summary>More classes than the scalar path's limit: the vectorised path gives the same loss and gradient as a double-precision reference.</summary>
    [Fact]
    public void Cross_entropy_over_many_classes_matches_a_double_reference()
    {
        var rng = new Rng(31);
        int n = 3, k = 100;
        var z = TestData.Random(rng, -4f, 4f, n, k);
        var y = TestData.OneHot(rng, n, k);
        var g = new Tensor(n, k);
        double loss = new SoftmaxCrossEntropy().Compute(z, y, g);
        double expected = 0;
        for (int r = 0; r < n; r++)
        {
            var zr = z.Span.Slice(r * k, k).ToArray();
            double max = zr.Max(), sum = zr.Sum(v => Math.Exp(v - max));
            for (int i = 0; i < k; i++)
            {
                double p = Math.Exp(zr[i] - max) / sum, t = y.Span[r * k + i];
                expected -= t * Math.Log(p) / n;
                Assert.Equal((p - t) / n, g.Span[r * k + i], 1e-6);
            }
        }
        Assert.Equal(expected, loss, 1e-5);
    }

    [Fact]
    public void Label_smoothing_is_cross_entropy_against_the_smoothed_targets()
    {
        // ε = 0.1, K = 3: the one-hot [0, 0, 1] becomes [0.0333, 0.0333, 0.9333]. For z = [1, 2, 3]:
        // L = lse(z) - y'.z = 3.4076059644 - (0.0333 + 0.0667 + 2.8) = 0.5076059644; dL/dz = softmax(z) - y'.
        var z = new Tensor([1f, 2f, 3f], 1, 3);
        var y = new Tensor([0f, 0f, 1f], 1, 3);
        var g = new Tensor(1, 3);
        Assert.Equal(0.5076059644, new SoftmaxCrossEntropy { LabelSmoothing = 0.1f }.Compute(z, y, g), 5);
        TestData.AssertClose([0.0900306f - 0.1f / 3, 0.2447285f - 0.1f / 3, 0.6652410f - (0.9f + 0.1f / 3)], g.Span, 1e-6f);
        Assert.Equal(0.4076059644, new SoftmaxCrossEntropy().Compute(z, y, g), 5); // and without smoothing, the plain loss
    }

    [Fact]
    public void Label_smoothing_gradient_matches_finite_differences()
    {
        var rng = new Rng(25);
        var logits = TestData.Random(rng, -3f, 3f, 4, 5);
        TestData.AssertGradients([GradientCheck.CheckLoss(new SoftmaxCrossEntropy { LabelSmoothing = 0.2f }, logits, TestData.OneHot(rng, 4, 5), rng)]);
    }

    [Fact]
    public void Label_smoothing_is_refused_outside_0_to_1_and_for_other_losses()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropy { LabelSmoothing = 1f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropy { LabelSmoothing = -0.1f });
        var e = Assert.Throws<ArgumentException>(() => LossCatalog.Create("mse", 0.1f));
        Assert.Equal("label smoothing applies to cross-entropy only, not to mse", e.Message);
        Assert.Equal(0.1f, Assert.IsType<SoftmaxCrossEntropy>(LossCatalog.Create("ce", 0.1f)).LabelSmoothing);
    }

    [Fact]
    public void A_trainer_with_label_smoothing_trains_on_it_and_reports_the_plain_test_loss()
    {
        var data = Synthetic.Dataset(64, seed: 3);
        var net = ModelSpec.Build("flatten,dense(10),softmax", data.SampleShape, 10, seed: 1);
        var smoothed = new Trainer(net, new SoftmaxCrossEntropy { LabelSmoothing = 0.3f }, new Adam(1e-3f));
        var plain = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(1e-3f));
        Assert.Equal(plain.Evaluate(data).Loss, smoothed.Evaluate(data).Loss);
        var batch = new DataLoader(data, 64, shuffle: false, new Rng(1)).GetBatch(0);
        float trainingLoss = smoothed.TrainStep(batch);
        Assert.True(Math.Abs(trainingLoss - plain.Evaluate(data).Loss) > 1e-3, "the training step's loss is the smoothed one");
    }
}
