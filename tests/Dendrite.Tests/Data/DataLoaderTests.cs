namespace Dendrite.Tests.Data;

public class DataLoaderTests
{
    /// <summary>Ten one-feature samples whose feature is their index; labels cycle through 3 classes.</summary>
    private static Dataset Numbered(int count = 10) =>
        new(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), [1], Enumerable.Range(0, count).Select(i => i % 3).ToArray(), 3);

    /// <summary>The sample indices of one epoch, batch by batch.</summary>
    private static List<int[]> Epoch(DataLoader loader)
    {
        loader.StartEpoch();
        var batches = new List<int[]>();
        for (int b = 0; b < loader.BatchCount; b++)
        {
            var batch = loader.GetBatch(b);
            var ids = batch.Inputs.Span.ToArray().Select(v => (int)v).ToArray();
            for (int i = 0; i < batch.Count; i++)
            {
                Assert.Equal(ids[i] % 3, batch.Labels[i]);
                Assert.Equal(1f, batch.Targets.Span[i * 3 + ids[i] % 3]);
                Assert.Equal(1f, batch.Targets.Sample(i).ToArray().Sum());
            }
            batches.Add(ids);
        }
        return batches;
    }

    [Fact]
    public void Batches_in_order_with_a_smaller_last_batch()
    {
        var loader = new DataLoader(Numbered(), 4);
        var batches = Epoch(loader);
        Assert.Equal(3, loader.BatchCount);
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], batches);
        Assert.Equal([2, 1], loader.GetBatch(2).Inputs.Shape.ToArray());
        Assert.Equal([2, 3], loader.GetBatch(2).Targets.Shape.ToArray());
    }

    [Fact]
    public void Shuffled_epochs_visit_every_sample_once()
    {
        var loader = new DataLoader(Numbered(23), 5, shuffle: true, new Rng(4));
        for (int e = 0; e < 3; e++)
        {
            var batches = Epoch(loader);
            Assert.Equal([5, 5, 5, 5, 3], batches.Select(b => b.Length));
            Assert.Equal(Enumerable.Range(0, 23), batches.SelectMany(b => b).Order());
        }
    }

    [Fact]
    public void Seeded_shuffle_is_deterministic_and_changes_each_epoch()
    {
        var a = new DataLoader(Numbered(50), 8, shuffle: true, new Rng(9));
        var b = new DataLoader(Numbered(50), 8, shuffle: true, new Rng(9));
        var c = new DataLoader(Numbered(50), 8, shuffle: true, new Rng(10));
        var a1 = Epoch(a).SelectMany(x => x).ToArray();
        var a2 = Epoch(a).SelectMany(x => x).ToArray();
        Assert.Equal(a1, Epoch(b).SelectMany(x => x));
        Assert.Equal(a2, Epoch(b).SelectMany(x => x));
        Assert.NotEqual(a1, a2);
        Assert.NotEqual(a1, Epoch(c).SelectMany(x => x));
        Assert.NotEqual(Enumerable.Range(0, 50), a1);
    }

    [Fact]
    public void A_batch_past_the_end_is_refused()
    {
        var loader = new DataLoader(Numbered(), 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.GetBatch(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Numbered(), 0));
    }

    [Fact]
    public void Dataset_rejects_labels_outside_its_classes()
    {
        var e = Assert.Throws<InvalidDataException>(() => new Dataset(new float[2], [1], [0, 3], 3));
        Assert.Contains("label 3", e.Message);
    }
}
