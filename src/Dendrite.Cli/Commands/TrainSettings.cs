using System.Text.Json.Serialization;

namespace Dendrite.Cli.Commands;

/// <summary>
/// Everything `dendrite train` was asked to do, validated: the library's <see cref="TrainingOptions"/> (optimizer,
/// rate, schedule, loss, batch, epochs, seed, augmentation, normalisation) and what only the command knows.
/// </summary>
public sealed record TrainSettings
{
    /// <summary>IDX data folder or CSV file.</summary>
    public required string Data { get; init; }

    /// <summary>A preset name or a layer spec; or a model file to fine-tune (a file of weights saved elsewhere with <see cref="Spec"/>).</summary>
    public required string Model { get; init; }

    /// <summary>The layers of a <see cref="Model"/> file saved elsewhere (a PyTorch state_dict): fine-tuning starts from its weights.</summary>
    public string? Spec { get; init; }

    /// <summary>
    /// The run's hyperparameters, with the defaults of <see cref="TrainingOptions"/>. Not in a checkpoint's settings:
    /// the library saves them under <see cref="TrainingRun.OptionsKey"/> (see <see cref="TrainCheckpoints.Load"/>).
    /// </summary>
    [JsonIgnore]
    public TrainingOptions Options { get; init; } = new();

    /// <summary>Compute threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Where the run computes: cpu, cuda or ilgpu-cpu. Not saved in a checkpoint's settings: a run started on one
    /// device resumes on whichever --device the resuming command names.
    /// </summary>
    [JsonIgnore]
    public string Device { get; init; } = "cpu";

    /// <summary>File to append one JSON object per epoch to.</summary>
    public string? Metrics { get; init; }

    /// <summary>Also write a per-step record to <see cref="Metrics"/> every N optimizer steps.</summary>
    public int? MetricsEvery { get; init; }

    /// <summary>Folder for the HTML report.</summary>
    public string? Report { get; init; }

    /// <summary>Use only the first N training samples.</summary>
    public int TrainLimit { get; init; } = int.MaxValue;

    /// <summary>Use only the first N test samples.</summary>
    public int TestLimit { get; init; } = int.MaxValue;

    /// <summary>CSV data only: the column to predict (a header name or a 1-based column number).</summary>
    public string? Target { get; init; }

    /// <summary>CSV data only: classification or regression; null to guess from the target column.</summary>
    public TabularTask? Task { get; init; }

    /// <summary>CSV data only: the share of rows held out for testing.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Image folders: every image resized to HxW (default: the most common size).</summary>
    public string? ImageSize { get; init; }

    /// <summary>Image folders: 1 (grey) or 3 (RGB); null to keep what the files are.</summary>
    public int? Channels { get; init; }

    /// <summary>Image folders: centre-crop to the target's aspect ratio before resizing.</summary>
    public bool CentreCrop { get; init; }

    /// <summary>Image folders: leave out images that cannot be decoded, with a count, instead of failing.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Read the samples (IDX, image folder or CSV) from disk as training needs them instead of loading them all.</summary>
    public bool Stream { get; init; }

    /// <summary>"backprop" (default) or "two-phase" (k-means centres, then least squares; rbf + dense models only).</summary>
    public string Fit { get; init; } = "backprop";

    /// <summary>The two-phase fit's ridge lambda.</summary>
    public double Ridge { get; init; } = 1e-6;

    /// <summary>Model file to write when training ends.</summary>
    public string? Out { get; init; }

    /// <summary>Folder for checkpoints (at each epoch's end, and every <see cref="CheckpointEvery"/> steps if set).</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Also save a checkpoint every N steps.</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>Bytes the model, its training and the data may take (--memory-limit); a property of the machine, not saved in checkpoints.</summary>
    [JsonIgnore]
    public long MemoryLimit { get; init; } = MemoryEstimate.DefaultLimit;

    /// <summary>Checkpoint folder to continue from; the run's other settings come from the checkpoint.</summary>
    public string? Resume { get; init; }
}
