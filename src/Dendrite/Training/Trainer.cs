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

    public Trainer(Sequential model, Loss loss, Optimizer optimizer)
    {
        if (!model.IsBuilt) throw new InvalidOperationException("build the network before training it");
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        optimizer.Engine = model.Engine; // the update runs on the model's threads
        OutputLayers = loss.LayersBefore(model.Layers);
    }

    public Sequential Model { get; }
    public Loss Loss { get; }
    public Optimizer Optimizer { get; }
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
        Model.ZeroGrad();
        var output = Model.Forward(batch.Inputs, training: true, OutputLayers);
        _grad.Resize(output.Shape);
        float loss = (float)Loss.Compute(output, batch.Targets, _grad);
        Model.Backward(_grad, OutputLayers - 1);
        Optimizer.Step(Model.Parameters);
        return loss;
    }

    public IReadOnlyList<EpochMetrics> Fit(Dataset train, Dataset? test, int epochs, int batchSize = 64, ulong seed = 1)
    {
        var loader = new DataLoader(train, batchSize, shuffle: true, new Rng(seed ^ 0x5DEECE66DUL));
        return Fit(loader, test, epochs);
    }

    public IReadOnlyList<EpochMetrics> Fit(DataLoader loader, Dataset? test, int epochs, int firstEpoch = 1)
    {
        if (epochs <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), $"epochs must be positive, got {epochs}");
        return Resume(loader, test, firstEpoch + epochs - 1, new TrainingPosition(firstEpoch, 0, 0));
    }

    /// <summary>
    /// Trains from <paramref name="from"/> through epoch <paramref name="lastEpoch"/>. Resuming mid-epoch needs the
    /// loader's order and generator as they were at that point (a checkpoint restores them): the epoch's shuffle
    /// is then not redone. The optimizer's <see cref="Optimizer.LearningRate"/> is the base rate the schedule scales.
    /// </summary>
    public IReadOnlyList<EpochMetrics> Resume(DataLoader loader, Dataset? test, int lastEpoch, TrainingPosition from)
    {
        var history = new List<EpochMetrics>();
        BaseLearningRate = Optimizer.LearningRate;
        try
        {
            for (int epoch = from.Epoch; epoch <= lastEpoch; epoch++)
            {
                Optimizer.LearningRate = Schedule.Rate(epoch - 1, BaseLearningRate);
                var clock = Stopwatch.StartNew();
                var start = epoch == from.Epoch ? from : new TrainingPosition(epoch, 0, 0);
                float trainLoss = TrainEpoch(loader, start);
                double seconds = clock.Elapsed.TotalSeconds;
                var eval = test is null ? new Evaluation(float.NaN, float.NaN, 0) : Evaluate(test);
                // The last step's update is only seen here: weights that went bad make the test loss non-finite.
                if (test is not null && !float.IsFinite(eval.Loss)) throw new TrainingDivergedException(epoch, loader.BatchCount, eval.Loss);
                var m = new EpochMetrics(epoch, trainLoss, eval.Loss, eval.Accuracy,
                    loader.Data.Count / seconds, clock.Elapsed.TotalSeconds, Optimizer.LearningRate);
                history.Add(m);
                Position = new TrainingPosition(epoch + 1, 0, 0);
                EpochEnded?.Invoke(m);
            }
        }
        finally
        {
            Optimizer.LearningRate = BaseLearningRate;
        }
        return history;
    }

    /// <summary>The rate the schedule scales, read from the optimizer when training starts.</summary>
    public float BaseLearningRate { get; private set; }

    /// <summary>Where training stands after the last finished batch or epoch (what a checkpoint saves).</summary>
    public TrainingPosition Position { get; private set; } = TrainingPosition.Start;

    /// <summary>One pass over the loader; returns the mean training loss.</summary>
    public float TrainEpoch(DataLoader loader, int epoch) => TrainEpoch(loader, new TrainingPosition(epoch, 0, 0));

    private float TrainEpoch(DataLoader loader, TrainingPosition from)
    {
        int epoch = from.Epoch;
        if (from.Batch == 0) loader.StartEpoch();
        double sum = from.LossSum;
        int batches = loader.BatchCount;
        for (int b = from.Batch; b < batches; b++)
        {
            var batch = loader.GetBatch(b);
            float loss = TrainStep(batch);
            if (!float.IsFinite(loss)) throw new TrainingDivergedException(epoch, b + 1, loss);
            sum += (double)loss * batch.Count;
            Position = new TrainingPosition(epoch, b + 1, sum);
            BatchEnded?.Invoke(epoch, b, batches, loss);
        }
        return (float)(sum / loader.Data.Count);
    }

    /// <summary>Mean loss and accuracy in evaluation mode (no dropout, running batch statistics).</summary>
    public Evaluation Evaluate(Dataset data, int batchSize = 256) => Evaluator.Evaluate(Model, Loss, data, batchSize, OutputLayers);
}
