namespace Dendrite.Tests.Training;

/// <summary>Same seed and thread count: bit-identical weights.</summary>
public class DeterminismTests
{
    private static readonly (Dataset Train, Dataset Test) Data = Synthetic.Images(300, 50, seed: 7);

    private static float[] TrainedWeights(ulong seed, int threads)
    {
        var net = new Sequential(new Dense(48), new ReLU(), new Dense(24), new Tanh(), new Dense(10), new Softmax())
            .Build([1, 28, 28], seed, TestEngines.Of(threads));
        new Trainer(net, new SoftmaxCrossEntropy(), new Adam(2e-3f)).Fit(Data.Train, Data.Test, epochs: 2, batchSize: 32, seed: seed).ToList();
        return net.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Same_seed_and_threads_give_bit_identical_weights(int threads)
    {
        var a = TrainedWeights(5, threads);
        var b = TrainedWeights(5, threads);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]), $"weight {i}: {a[i]:R} vs {b[i]:R}");
    }

    [Fact]
    public void A_different_seed_gives_different_weights()
    {
        var a = TrainedWeights(5, 2);
        var b = TrainedWeights(6, 2);
        int differing = a.Zip(b).Count(p => p.First != p.Second);
        Assert.True(differing > a.Length / 2, $"only {differing} of {a.Length} weights differ");
    }

    [Fact]
    public void Training_moves_the_weights()
    {
        // Guards the tests above against a trainer that silently does nothing.
        var trained = TrainedWeights(5, 1);
        var net = new Sequential(new Dense(48), new ReLU(), new Dense(24), new Tanh(), new Dense(10), new Softmax()).Build([1, 28, 28], 5);
        var initial = net.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        Assert.True(initial.Zip(trained).Count(p => p.First != p.Second) > initial.Length / 2);
    }

    /// <summary>A CNN step through both convolution lowerings (conv1 im2col, conv2 Winograd) and the pooled GEMMs.</summary>
    private static float[] CnnGradients(int threads)
    {
        var net = ModelSpec.Build("conv(8,5,pad=2),relu,maxpool(2),conv(16,5,pad=2),relu,maxpool(2),flatten,dense(10)", [1, 28, 28], 10, seed: 4, TestEngines.Of(threads));
        var x = TestData.Random(new Rng(8), 0f, 1f, 24, 1, 28, 28);
        var y = net.Forward(x, training: true);
        net.ZeroGrad();
        net.Backward(TestData.Random(new Rng(9), y.Shape.ToArray()));
        return [.. y.Span.ToArray(), .. net.Parameters.SelectMany(p => p.Grad.Span.ToArray())];
    }

    [Fact]
    public void Convolution_results_do_not_depend_on_the_thread_count()
    {
        var one = CnnGradients(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = CnnGradients(threads);
            for (int i = 0; i < one.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(many[i]), $"{threads} threads, value {i}: {one[i]:R} vs {many[i]:R}");
        }
    }
}
