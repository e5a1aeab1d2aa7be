namespace Dendrite.Tests.Training;

public class ConvTrainingTests
{
    /// <summary>
    /// 12x12 images of a horizontal (class 0) or vertical (class 1) bar at a random place, plus noise:
    /// a pattern a dense layer on raw pixels cannot average out, but a few conv filters can.
    /// </summary>
    private static Dataset Bars(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[count * 144];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = rng.NextInt(2);
            var img = x.AsSpan(i * 144, 144);
            rng.Uniform(img, 0f, 0.3f);
            int at = 1 + rng.NextInt(10), from = rng.NextInt(5);
            for (int k = from; k < from + 7; k++) img[labels[i] == 0 ? at * 12 + k : k * 12 + at] += 1f;
        }
        return new Dataset(x, [1, 12, 12], labels, 2);
    }

    [Fact]
    public void A_small_cnn_with_every_new_layer_learns_bars()
    {
        var train = Bars(384, 1);
        var test = Bars(200, 2);
        var net = ModelSpec.Build("conv(6,3,pad=1),batchnorm,relu,maxpool(2),conv(8,3,pad=same),relu,avgpool(2),dropout(0.2),gap,dense(2),softmax",
            [1, 12, 12], 2, 5);
        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(0.01f));
        var loader = new DataLoader(train, 32, shuffle: true, new Rng(9))
        {
            Augment = new ImageAugmentation([1, 12, 12], 1, flip: true).Apply,
        };
        float before = trainer.Evaluate(train).Loss;
        var history = trainer.Fit(loader, test, epochs: 6).ToList();
        Assert.True(history[^1].TrainLoss < 0.5f * before, $"train loss {before:F3} -> {history[^1].TrainLoss:F3}");
        Assert.True(history[^1].TestAccuracy > 0.9f, $"test accuracy {history[^1].TestAccuracy:P1}");
    }
}
