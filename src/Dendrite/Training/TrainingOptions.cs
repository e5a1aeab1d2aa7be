namespace Dendrite;

/// <summary>
/// The hyperparameters of a training run, by the names the catalogs (<see cref="OptimizerCatalog"/>, <see cref="ScheduleCatalog"/>,
/// <see cref="LossCatalog"/>) know. <see cref="TrainingRun"/> builds a run from them and saves them in every checkpoint, so
/// that <see cref="TrainingRun.Resume(string, Dataset, Dataset?, Action{string}?)"/> needs nothing else. The defaults
/// are <c>dendrite train</c>'s.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>One of <see cref="OptimizerCatalog.Names"/>.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The base learning rate; null for the optimizer's default (<see cref="OptimizerCatalog"/>).</summary>
    public float? LearningRate { get; init; }

    /// <summary>The momentum of momentum and nesterov.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>L2 weight decay; null for the optimizer's default (0.01 for adamw, 0 elsewhere).</summary>
    public float? WeightDecay { get; init; }

    /// <summary>One of <see cref="ScheduleCatalog.Names"/>, over <see cref="Epochs"/> epochs.</summary>
    public string Schedule { get; init; } = "cosine";

    /// <summary>One of <see cref="LossCatalog.Names"/>.</summary>
    public string Loss { get; init; } = "cross-entropy";

    /// <summary>Cross-entropy's label smoothing ε in [0, 1) (<see cref="SoftmaxCrossEntropy.LabelSmoothing"/>); 0 for none.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Samples per step.</summary>
    public int Batch { get; init; } = 64;

    /// <summary>The epoch the run ends with.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Seeds the RBF centres and the loader's shuffle (xored with <see cref="Trainer.LoaderSeed"/>).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Training image augmentation: none, or a '+' of shift, shift=N, flip, jitter, jitter=X, erase, erase=P (<see cref="ImageAugmentation.Parse"/>).</summary>
    public string Augment { get; init; } = "none";

    /// <summary>Input normalisation: none, auto (the training data's mean and deviation) or MEAN,STD (<see cref="Normalization.Parse"/>).</summary>
    public string Normalize { get; init; } = "none";

    /// <summary>A new optimizer as these options name it.</summary>
    /// <exception cref="ArgumentException">An unknown optimizer name.</exception>
    public Optimizer CreateOptimizer() => OptimizerCatalog.Create(Optimizer, LearningRate, Momentum, WeightDecay);

    /// <summary>A new schedule as these options name it.</summary>
    /// <exception cref="ArgumentException">An unknown schedule name.</exception>
    public LearningRateSchedule CreateSchedule() => ScheduleCatalog.Create(Schedule, Epochs);

    /// <summary>A new loss as these options name it.</summary>
    /// <exception cref="ArgumentException">An unknown loss name, or label smoothing with a loss other than cross-entropy.</exception>
    public Loss CreateLoss() => LossCatalog.Create(Loss, LabelSmoothing);

    /// <summary>The normalisation <see cref="Normalize"/> asks for, fitted on <paramref name="train"/>'s features when it is auto.</summary>
    /// <exception cref="FormatException"><see cref="Normalize"/> cannot be read.</exception>
    public Normalization ResolveNormalization(Dataset train) => Normalization.Parse(Normalize) ?? Normalization.Fit(train);
}
