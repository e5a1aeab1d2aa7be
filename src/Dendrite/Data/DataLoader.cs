namespace Dendrite;

/// <summary>
/// Cuts a data set into mini-batches, in a fresh seeded order each epoch when shuffling.
/// The last batch holds what is left. Batch buffers are reused between calls.
/// </summary>
public sealed class DataLoader
{
    private readonly Dataset _data;
    private readonly int[] _order;
    private readonly Batch _batch = new();
    private readonly int[] _labels;

    /// <summary>A loader over <paramref name="data"/>, in the data's own order until the first shuffle.</summary>
    /// <param name="data">The samples; not copied.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="shuffle">Reshuffle the order at each <see cref="StartEpoch"/>.</param>
    /// <param name="rng">Drives shuffling and <see cref="Augment"/>; a generator seeded with 1 when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public DataLoader(Dataset data, int batchSize, bool shuffle = false, Rng? rng = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be positive, got {batchSize}");
        _data = data;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Rng = rng ?? new Rng(1);
        _order = Enumerable.Range(0, data.Count).ToArray();
        _labels = new int[batchSize];
    }

    /// <summary>Samples per batch; the last batch of an epoch may hold fewer.</summary>
    public int BatchSize { get; }
    /// <summary>Whether <see cref="StartEpoch"/> reshuffles the order.</summary>
    public bool Shuffle { get; }
    /// <summary>The generator for shuffling and augmentation; checkpoints save and restore its <see cref="Rng.State"/>.</summary>
    public Rng Rng { get; }
    /// <summary>The data set being batched.</summary>
    public Dataset Data => _data;
    /// <summary>Batches per epoch: ceil(Count / BatchSize).</summary>
    public int BatchCount => (_data.Count + BatchSize - 1) / BatchSize;

    /// <summary>Optional per-sample transform applied to each batch's inputs in place (augmentation).</summary>
    public Action<Span<float>, Rng>? Augment { get; set; }

    /// <summary>Starts an epoch: reshuffles the order when shuffling.</summary>
    public void StartEpoch()
    {
        if (Shuffle) Rng.Shuffle(_order);
    }

    /// <summary>The order samples are visited in this epoch (for checkpoints).</summary>
    public int[] Order => _order;

    /// <summary>
    /// Batch <paramref name="index"/> of this epoch's <see cref="Order"/>: inputs copied and augmented, targets and labels
    /// written. Returns the loader's one <see cref="Batch"/>, which the next call overwrites.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is at or past <see cref="BatchCount"/>.</exception>
    public Batch GetBatch(int index)
    {
        int start = index * BatchSize;
        int count = Math.Min(BatchSize, _data.Count - start);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(index), $"batch {index} of {BatchCount}");
        int size = _data.SampleSize, outputs = _data.OutputSize;
        var x = _batch.Inputs.Resize(count, _data.SampleShape);
        var t = _batch.Targets.Resize([count, outputs]);
        for (int i = 0; i < count; i++)
        {
            int s = _order[start + i];
            var dst = x.Data.AsSpan(i * size, size);
            _data.Sample(s).CopyTo(dst);
            Augment?.Invoke(dst, Rng);
            _data.WriteTarget(s, t.Data.AsSpan(i * outputs, outputs));
            if (_data.IsClassification) _labels[i] = _data.Labels[s];
        }
        _batch.Labels = _labels;
        return _batch;
    }
}
