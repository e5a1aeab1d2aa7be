using System.Text.Json;

namespace Dendrite.Cli.Commands;

/// <summary>
/// The checkpoints of one train run: saved at each epoch's end and every N steps, each with the run's settings
/// so that <c>--resume DIR</c> needs nothing else: the library saves the <see cref="TrainingOptions"/> and
/// <see cref="TrainingRun.Resume(Checkpoint, Dataset, Dataset?, TrainingOptions?)"/> restores them; the settings add what
/// only the command knows (the data folder, limits, where to write).
/// </summary>
public sealed class TrainCheckpoints(string dir, int? every, TrainingRun run, TrainSettings settings)
{
    private const string SettingsKey = "train_settings";
    private readonly Dictionary<string, string> _extra = new() { [SettingsKey] = JsonSerializer.Serialize(settings) };

    public string Directory => dir;

    /// <summary>The newest checkpoint written by this run, if any.</summary>
    public string? Last { get; private set; }

    /// <summary>Saves after every Nth step (unless it ends an epoch: the epoch's own checkpoint follows) and after each epoch.</summary>
    public void Attach(TrainingRun run)
    {
        var trainer = run.Trainer;
        trainer.BatchEnded += (_, b, batches, _) =>
        {
            if (every is int n && trainer.Optimizer.Steps % n == 0 && b + 1 < batches) Save();
        };
        trainer.EpochEnded += _ => Save();
    }

    /// <summary>Writes a checkpoint of the run now (the library's, with its options, plus the command's settings).</summary>
    public void Save()
    {
        try
        {
            Last = run.SaveCheckpoint(dir, _extra);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--checkpoint: cannot write into {dir}: {e.Message}");
        }
    }

    /// <summary>
    /// The newest readable checkpoint in <paramref name="dir"/> and the settings of the run that wrote it: the command's
    /// from <c>train_settings</c>, the options from the library's <see cref="TrainingRun.OptionsKey"/>. Settings saved
    /// before they held the options apart carry them as their own fields (Epochs, Batch, Optimizer, ...); those are read
    /// when the checkpoint has no library options.
    /// </summary>
    public static (Checkpoint Checkpoint, TrainSettings Settings) Load(string dir)
    {
        var checkpoint = Dendrite.Checkpoint.LoadLatest(dir, skipped => Console.Error.WriteLine($"dendrite: skipping {skipped}"));
        if (!checkpoint.Metadata.TryGetValue(SettingsKey, out var json))
            throw new InvalidDataException($"{checkpoint.Path}: no {SettingsKey}; it was not written by dendrite train");
        TrainSettings? settings;
        TrainingOptions? legacy;
        try
        {
            settings = JsonSerializer.Deserialize<TrainSettings>(json);
            legacy = JsonSerializer.Deserialize<TrainingOptions>(json); // the old flat fields have the options' names
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{checkpoint.Path}: {SettingsKey} cannot be read: {e.Message}");
        }
        if (settings is null || legacy is null) throw new InvalidDataException($"{checkpoint.Path}: {SettingsKey} is empty");
        return (checkpoint, settings with { Options = TrainingRun.ReadOptions(checkpoint) ?? legacy });
    }
}
