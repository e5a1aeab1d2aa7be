namespace Dendrite.Cli.Commands;

/// <summary>Everything `dendrite train` was asked to do, validated.</summary>
public sealed record TrainSettings
{
    public required string Data { get; init; }
    public required string Model { get; init; }
    public int Epochs { get; init; } = 10;
    public int Batch { get; init; } = 64;
    public string Optimizer { get; init; } = "adam";
    public float? LearningRate { get; init; }
    public float Momentum { get; init; } = 0.9f;
    public float? WeightDecay { get; init; }
    public string Schedule { get; init; } = "cosine";
    public string Loss { get; init; } = "cross-entropy";
    public ulong Seed { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public string? Metrics { get; init; }
    public string? Report { get; init; }
    public int TrainLimit { get; init; } = int.MaxValue;
    public int TestLimit { get; init; } = int.MaxValue;
    /// <summary>CSV data only: the target column, the task (null: guessed) and the share of rows held out for testing.</summary>
    public string? Target { get; init; }
    public TabularTask? Task { get; init; }
    public double TestFraction { get; init; } = 0.2;
    /// <summary>"backprop" (default) or "two-phase" (k-means centres, then least squares; rbf + dense models only).</summary>
    public string Fit { get; init; } = "backprop";
    /// <summary>The two-phase fit's ridge lambda.</summary>
    public double Ridge { get; init; } = 1e-6;
    /// <summary>Model file to write when training ends.</summary>
    public string? Out { get; init; }
    /// <summary>Folder for checkpoints (at each epoch's end, and every <see cref="CheckpointEvery"/> steps if set).</summary>
    public string? Checkpoint { get; init; }
    public int? CheckpointEvery { get; init; }
    /// <summary>Checkpoint folder to continue from; the run's other settings come from the checkpoint.</summary>
    public string? Resume { get; init; }
    /// <summary>none, shift, shift=N, flip or shift+flip (see <see cref="ImageAugmentation.Parse"/>).</summary>
    public string Augment { get; init; } = "none";
    /// <summary>none, auto (the training pixels' mean and standard deviation) or MEAN,STD: inputs become (x - mean) / std.</summary>
    public string Normalize { get; init; } = "none";

    /// <summary>The library's options for this run.</summary>
    public TrainingOptions Options() => new()
    {
        Optimizer = Optimizer, LearningRate = LearningRate, Momentum = Momentum, WeightDecay = WeightDecay, Schedule = Schedule,
        Loss = Loss, Batch = Batch, Epochs = Epochs, Seed = Seed, Augment = Augment, Normalize = Normalize,
    };
}
