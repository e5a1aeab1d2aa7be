using System.Runtime.ExceptionServices;

namespace Dendrite;

/// <summary>
/// Cuts a data set into mini-batches, in a fresh seeded order each epoch when shuffling.
/// The last batch holds what is left. Batch buffers are reused between calls.
/// With <see cref="Prefetch"/> on, the next batch of the epoch is read and augmented on worker threads while the caller
/// trains on the current one: the same samples, augmented with the same draws of <see cref="Rng"/>, as without it.
/// </summary>
public sealed class DataLoader
{
    private readonly Dataset _data;
    private readonly int[] _order;
    private readonly Batch[] _batches = [new(), new()];
    private readonly int[][] _labels;
    private int _current; // which of _batches the caller holds
    private Task? _ahead; // filling _batches[1 - _current] with batch _aheadIndex
    private int _aheadIndex = -1;
    private ulong _stateBeforeAhead; // Rng.State before the batch being prefetched drew anything

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
        _labels = [new int[batchSize], new int[batchSize]];
        Prefetch = data.IsStreamed;
    }

    /// <summary>Samples per batch; the last batch of an epoch may hold fewer.</summary>
    public int BatchSize { get; }
    /// <summary>Whether <see cref="StartEpoch"/> reshuffles the order.</summary>
    public bool Shuffle { get; }
    /// <summary>The generator for shuffling and augmentation; checkpoints save its state through <see cref="RngState"/>.</summary>
    public Rng Rng { get; }
    /// <summary>The data set being batched.</summary>
    public Dataset Data => _data;
    /// <summary>Batches per epoch: ceil(Count / BatchSize).</summary>
    public int BatchCount => (_data.Count + BatchSize - 1) / BatchSize;

    /// <summary>Optional per-sample transform applied to each batch's inputs in place (augmentation).</summary>
    public Action<Span<float>, Rng>? Augment { get; set; }

    /// <summary>
    /// Prepare the epoch's next batch on worker threads while the current one is used (samples read in parallel, then
    /// augmented in order). On by default for a streamed set, whose reads cost disk and decoding; off for one in memory.
    /// </summary>
    public bool Prefetch { get; set; }

    /// <summary>
    /// The generator's state as the batches handed out so far left it, not counting a batch being prepared ahead: what
    /// a checkpoint saves. Setting it (as <see cref="Checkpoint.Restore"/> does) drops any batch prepared ahead.
    /// </summary>
    public ulong RngState
    {
        get => _ahead is null ? Rng.State : _stateBeforeAhead;
        set
        {
            Drop();
            Rng.State = value;
        }
    }

    /// <summary>Starts an epoch: reshuffles the order when shuffling.</summary>
    public void StartEpoch()
    {
        Drop();
        if (Shuffle) Rng.Shuffle(_order);
    }

    /// <summary>The order samples are visited in this epoch (for checkpoints; set <see cref="RngState"/> before changing it).</summary>
    public int[] Order => _order;

    /// <summary>
    /// Batch <paramref name="index"/> of this epoch's <see cref="Order"/>: inputs copied and augmented, targets and labels
    /// written. Returns a <see cref="Batch"/> that stays valid until the next call; with <see cref="Prefetch"/> on, batch
    /// <paramref name="index"/> + 1 is then prepared in the background.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is at or past <see cref="BatchCount"/>.</exception>
    /// <exception cref="InvalidDataException">A streamed sample cannot be read.</exception>
    public Batch GetBatch(int index)
    {
        if (index < 0 || index >= BatchCount) throw new ArgumentOutOfRangeException(nameof(index), $"batch {index} of {BatchCount}");
        if (_ahead is not null && _aheadIndex == index)
        {
            var ready = _ahead;
            _ahead = null;
            _current = 1 - _current;
            ready.GetAwaiter().GetResult(); // a read error surfaces here, for the batch that needed it
        }
        else
        {
            Drop();
            Fill(_batches[_current], _labels[_current], index);
        }
        if (Prefetch && index + 1 < BatchCount)
        {
            int next = index + 1, slot = 1 - _current;
            _stateBeforeAhead = Rng.State;
            _aheadIndex = next;
            _ahead = Task.Run(() => Fill(_batches[slot], _labels[slot], next));
        }
        return _batches[_current];
    }

    // Waits for a batch being prepared ahead and undoes its draws from the generator.
    private void Drop()
    {
        if (_ahead is null) return;
        try { _ahead.Wait(); }
        catch (AggregateException) { } // the batch is dropped; its error comes again if it is asked for
        _ahead = null;
        Rng.State = _stateBeforeAhead;
    }

    private void Fill(Batch batch, int[] labels, int index)
    {
        int start = index * BatchSize;
        int count = Math.Min(BatchSize, _data.Count - start);
        int size = _data.SampleSize, outputs = _data.OutputSize;
        var x = batch.Inputs.Resize(count, _data.SampleShape);
        var t = batch.Targets.Resize([count, outputs]);
        if (_data.IsStreamed)
        {
            try { Parallel.For(0, count, i => _data.ReadSample(_order[start + i], x.Data.AsSpan(i * size, size))); }
            catch (AggregateException e) { ExceptionDispatchInfo.Throw(e.InnerExceptions[0]); } // the reader's own error, naming its file
        }
        for (int i = 0; i < count; i++)
        {
            int s = _order[start + i];
            var dst = x.Data.AsSpan(i * size, size);
            if (!_data.IsStreamed) _data.ReadSample(s, dst);
            Augment?.Invoke(dst, Rng);
            _data.WriteTarget(s, t.Data.AsSpan(i * outputs, outputs));
            if (_data.IsClassification) labels[i] = _data.Labels[s];
        }
        batch.Labels = labels;
    }
}
