using System.Diagnostics;

namespace Dendrite;

/// <summary>
/// Mini-batch gradient descent: for each batch, forward, loss, backward, optimizer step.
/// When the network ends in <see cref="Softmax"/> and the loss is <see cref="SoftmaxCrossEntropy"/>,
/// the two are fused: the loss takes the logits and the softmax layer's backward is skipped.
/// </summary>
public sealed class Trainer
{
    private readonly Tensor _grad = new(0, 0);

    /// <summary>A trainer of a built <paramref name="model"/>; a final softmax is fused into a cross-entropy loss.</summary>
    public Trainer(Sequential model, Loss loss, Optimizer optimizer)
    {
        if (!model.IsBuilt) throw new InvalidOperationException("build the network before training it");
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        optimizer.Engine = model.Engine; // the update runs on the model's threads
        OutputLayers = loss.LayersBefore(model.Layers);
    }

    /// <summary>The network trained.</summary>
    public Sequential Model { get; }

    /// <summary>The loss minimised.</summary>
    public Loss Loss { get; }

    /// <summary>The optimizer that updates <see cref="Model"/>'s parameters.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Sets the optimizer's rate at the start of each epoch from <see cref="BaseLearningRate"/> (constant by default).</summary>
    public LearningRateSchedule Schedule { get; set; } = new ConstantRate();

    /// <summary>Called after each batch with (epoch, batch index, batch count, batch loss).</summary>
    public Action<int, int, int, float>? BatchEnded { get; set; }

    /// <summary>Called after each epoch's evaluation.</summary>
    public Action<EpochMetrics>? EpochEnded { get; set; }

    // Layers run before the loss: all but a final softmax that the cross-entropy loss fuses.
    private int OutputLayers { get; }

    /// <summary>One optimisation step on one batch; returns the batch's mean loss.</summary>
    public float TrainStep(Batch batch)
    {
        if (Model.Device is { } device) return device.TrainStep(batch, Loss, Optimizer, OutputLayers);
        Model.ZeroGrad();
        // The same as ForwardForLoss / BackwardFromLoss (SequentialLossExtensions), with the layer count kept.
        var output = Model.Forward(batch.Inputs, training: true, OutputLayers);
        _grad.Resize(output.Shape);
        float loss = (float)Loss.Compute(output, batch.Targets, _grad);
        Model.Backward(_grad, OutputLayers - 1);
        Optimizer.Step(Model.Parameters);
        return loss;
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs over <paramref name="train"/>, shuffled by a generator seeded with
    /// <paramref name="seed"/>. Lazy: nothing runs until the result is enumerated, and each epoch's metrics are yielded
    /// as that epoch ends (<c>foreach (var m in trainer.Fit(...))</c>; call <c>.ToList()</c> to train to the end).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled (checked before each batch).</exception>
    public IEnumerable<EpochMetrics> Fit(Dataset train, Dataset? test, int epochs, int batchSize = 64, ulong seed = 1, CancellationToken cancellation = default)
    {
        var loader = new DataLoader(train, batchSize, shuffle: true, new Rng(seed ^ LoaderSeed));
        return Fit(loader, test, epochs, cancellation: cancellation);
    }

    /// <summary>What <see cref="Fit(Dataset, Dataset?, int, int, ulong, CancellationToken)"/> xors into the seed for the loader's generator.</summary>
    public const ulong LoaderSeed = 0x5DEECE66DUL;

    /// <summary>
    /// Trains epochs <paramref name="firstEpoch"/> to <paramref name="firstEpoch"/> + <paramref name="epochs"/> - 1 over
    /// <paramref name="loader"/>; lazy, yielding each epoch as it ends (see <see cref="Resume"/>).
    /// </summary>
    public IEnumerable<EpochMetrics> Fit(DataLoader loader, Dataset? test, int epochs, int firstEpoch = 1, CancellationToken cancellation = default)
    {
        if (epochs <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), $"epochs must be positive, got {epochs}");
        return Resume(loader, test, firstEpoch + epochs - 1, new TrainingPosition(firstEpoch, 0, 0), cancellation);
    }

    /// <summary>
    /// Trains from <paramref name="from"/> through epoch <paramref name="lastEpoch"/>. Resuming mid-epoch needs the
    /// loader's order and generator as they were at that point (a checkpoint restores them): the epoch's shuffle
    /// is then not redone. The optimizer's <see cref="Optimizer.LearningRate"/> is the base rate the schedule scales.
    /// Lazy: training runs as the result is enumerated, and each epoch's metrics are yielded (after
    /// <see cref="EpochEnded"/>) as that epoch ends; stopping the enumeration early stops training there.
    /// <paramref name="cancellation"/> is checked before each batch: <see cref="Position"/> then stands after the last
    /// finished batch, so a checkpoint saved at that point resumes exactly. On a device engine the loader prepares the
    /// next batch on the host while the device trains on this one (<see cref="DataLoader.Prefetch"/> is turned on: the same
    /// batches, so the same results).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public IEnumerable<EpochMetrics> Resume(DataLoader loader, Dataset? test, int lastEpoch, TrainingPosition from, CancellationToken cancellation = default)
    {
        BaseLearningRate = Optimizer.LearningRate;
        if (Model.Device is not null) loader.Prefetch = true; // loading overlaps the device's compute
        try
        {
            for (int epoch = from.Epoch; epoch <= lastEpoch; epoch++)
            {
                Optimizer.LearningRate = Schedule.Rate(epoch - 1, BaseLearningRate);
                var clock = Stopwatch.StartNew();
                var start = epoch == from.Epoch ? from : new TrainingPosition(epoch, 0, 0);
                float trainLoss = TrainEpoch(loader, start, cancellation);
                double seconds = clock.Elapsed.TotalSeconds;
                var eval = test is null ? new Evaluation(float.NaN, float.NaN, 0) : Evaluate(test);
                // The last step's update is only seen here: weights that went bad make the test loss non-finite.
                if (test is not null && !float.IsFinite(eval.Loss)) throw new TrainingDivergedException(epoch, loader.BatchCount, eval.Loss);
                var m = new EpochMetrics(epoch, trainLoss, eval.Loss, eval.Accuracy,
                    loader.Data.Count / seconds, clock.Elapsed.TotalSeconds, Optimizer.LearningRate);
                Position = new TrainingPosition(epoch + 1, 0, 0);
                Synchronize();
                EpochEnded?.Invoke(m);
                yield return m;
            }
        }
        finally
        {
            Optimizer.LearningRate = BaseLearningRate;
            Synchronize();
        }
    }

    /// <summary>
    /// On a device engine, copies the parameters, buffers and optimizer state the device has trained down into
    /// <see cref="Model"/> and <see cref="Optimizer"/> (done after each epoch, when training stops, and by
    /// <see cref="Checkpoint.Save"/>); nothing on the CPU.
    /// </summary>
    public void Synchronize() => Model.Device?.CopyToHost(Optimizer);

    /// <summary>The rate the schedule scales, read from the optimizer when training starts.</summary>
    public float BaseLearningRate { get; private set; }

    /// <summary>Where training stands after the last finished batch or epoch (what a checkpoint saves).</summary>
    public TrainingPosition Position { get; private set; } = TrainingPosition.Start;

    /// <summary>One pass over the loader; returns the mean training loss.</summary>
    public float TrainEpoch(DataLoader loader, int epoch) => TrainEpoch(loader, new TrainingPosition(epoch, 0, 0), CancellationToken.None);

    private float TrainEpoch(DataLoader loader, TrainingPosition from, CancellationToken cancellation)
    {
        int epoch = from.Epoch;
        // Checked before the epoch's shuffle, never between it and the first batch: a checkpoint taken at batch 0 must
        // hold the loader as it was before the shuffle, which resuming then does again.
        cancellation.ThrowIfCancellationRequested();
        if (from.Batch == 0) loader.StartEpoch();
        double sum = from.LossSum;
        int batches = loader.BatchCount;
        for (int b = from.Batch; b < batches; b++)
        {
            if (b > 0) cancellation.ThrowIfCancellationRequested();
            var batch = loader.GetBatch(b);
            float loss = TrainStep(batch);
            if (!float.IsFinite(loss)) throw new TrainingDivergedException(epoch, b + 1, loss);
            sum += (double)loss * batch.Count;
            Position = new TrainingPosition(epoch, b + 1, sum);
            BatchEnded?.Invoke(epoch, b, batches, loss);
        }
        return (float)(sum / loader.Data.Count);
    }

    /// <summary>
    /// Mean loss and accuracy in evaluation mode (no dropout, running batch statistics). The loss is the plain one:
    /// cross-entropy's label smoothing shapes training only, so test losses of runs with and without it compare.
    /// </summary>
    public Evaluation Evaluate(Dataset data, int batchSize = 256) =>
        Evaluator.Evaluate(Model, Loss is SoftmaxCrossEntropy { LabelSmoothing: > 0 } ? _plainLoss ??= new SoftmaxCrossEntropy() : Loss, data, batchSize, OutputLayers);

    private SoftmaxCrossEntropy? _plainLoss;
}
