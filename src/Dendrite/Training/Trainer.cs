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
    private readonly bool _fused;

    public Trainer(Sequential model, Loss loss, Optimizer optimizer)
    {
        if (!model.IsBuilt) throw new InvalidOperationException("build the network before training it");
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        _fused = loss is SoftmaxCrossEntropy && model.Layers[^1] is Softmax;
    }

    public Sequential Model { get; }
    public Loss Loss { get; }
    public Optimizer Optimizer { get; }
    public LearningRateSchedule Schedule { get; set; } = new ConstantRate();

    /// <summary>Called after each batch with (epoch, batch index, batch count, batch loss).</summary>
    public Action<int, int, int, float>? BatchEnded { get; set; }

    /// <summary>Called after each epoch's evaluation.</summary>
    public Action<EpochMetrics>? EpochEnded { get; set; }

    private int OutputLayers => _fused ? Model.Layers.Count - 1 : Model.Layers.Count;

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
        var history = new List<EpochMetrics>();
        float baseRate = Optimizer.LearningRate;
        for (int epoch = firstEpoch; epoch < firstEpoch + epochs; epoch++)
        {
            Optimizer.LearningRate = Schedule.Rate(epoch - 1, baseRate);
            var clock = Stopwatch.StartNew();
            float trainLoss = TrainEpoch(loader, epoch);
            double seconds = clock.Elapsed.TotalSeconds;
            var eval = test is null ? new Evaluation(float.NaN, float.NaN, 0) : Evaluate(test);
            // The last step's update is only seen here: weights that went bad make the test loss non-finite.
            if (test is not null && !float.IsFinite(eval.Loss)) throw new TrainingDivergedException(epoch, loader.BatchCount, eval.Loss);
            var m = new EpochMetrics(epoch, trainLoss, eval.Loss, eval.Accuracy,
                loader.Data.Count / seconds, clock.Elapsed.TotalSeconds, Optimizer.LearningRate);
            history.Add(m);
            EpochEnded?.Invoke(m);
        }
        Optimizer.LearningRate = baseRate;
        return history;
    }

    /// <summary>One pass over the loader; returns the mean training loss.</summary>
    public float TrainEpoch(DataLoader loader, int epoch)
    {
        loader.StartEpoch();
        double sum = 0;
        int batches = loader.BatchCount;
        for (int b = 0; b < batches; b++)
        {
            var batch = loader.GetBatch(b);
            float loss = TrainStep(batch);
            if (!float.IsFinite(loss)) throw new TrainingDivergedException(epoch, b + 1, loss);
            sum += (double)loss * batch.Count;
            BatchEnded?.Invoke(epoch, b, batches, loss);
        }
        return (float)(sum / loader.Data.Count);
    }

    /// <summary>Mean loss and accuracy in evaluation mode (no dropout, running batch statistics).</summary>
    public Evaluation Evaluate(Dataset data, int batchSize = 256) => Evaluator.Evaluate(Model, Loss, data, batchSize, OutputLayers);
}
