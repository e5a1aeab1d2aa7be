using System.Text.Json;

namespace Dendrite.Cli.Commands;

/// <summary>
/// The checkpoints of one train run: saved at each epoch's end and every N steps, each with the run's settings
/// so that <c>--resume DIR</c> needs nothing else: the library saves the <see cref="TrainingOptions"/> and
/// <see cref="TrainingRun.Resume(Checkpoint, Dataset, Dataset?, TrainingOptions?)"/> restores them; the settings add what
/// only the command knows (the data folder, limits, where to write).
/// </summary>
public sealed class TrainCheckpoints(string dir, int? every, TrainingRun run, TrainSettings settings) : IDisposable
{
    private const string SettingsKey = "train_settings";
    /// <summary>What a checkpoint written after the loss went bad is renamed to end with; <c>--resume</c> never picks it.</summary>
    public const string DivergedSuffix = ".diverged";
    private readonly Dictionary<string, string> _extra = new() { [SettingsKey] = JsonSerializer.Serialize(settings) };
    private readonly CheckpointLock _lock = Claim(dir);
    private readonly List<string> _written = [];

    public string Directory => dir;

    /// <summary>The newest checkpoint written by this run, if any.</summary>
    public string? Last { get; private set; } = run.ResumedFrom?.Path;

    /// <summary>
    /// The newest checkpoint whose weights have since given a finite loss (a later training step's, or the test loss
    /// the epoch's end computed on them); the one to keep when training diverges.
    /// </summary>
    public string? LastGood { get; private set; }

    /// <summary>Saves after every Nth step (unless it ends an epoch: the epoch's own checkpoint follows) and after each epoch.</summary>
    public void Attach(TrainingRun run)
    {
        var trainer = run.Trainer;
        trainer.BatchEnded += (_, b, batches, _) =>
        {
            // This step's loss was finite, and it was computed on the weights of any checkpoint written before it.
            LastGood = Last;
            if (every is int n && trainer.Optimizer.Steps % n == 0 && b + 1 < batches) Save();
        };
        trainer.EpochEnded += _ =>
        {
            Save();
            if (run.Test is not null) LastGood = Last; // the epoch's finite test loss was computed on these weights
        };
    }

    /// <summary>
    /// After divergence: renames the checkpoints written since <see cref="LastGood"/> to end in <see cref="DivergedSuffix"/>
    /// (kept for inspection, never resumed from) and says which file holds the run.
    /// </summary>
    public string Diverged()
    {
        foreach (var file in _written)
            if (file != LastGood && (LastGood is null || string.CompareOrdinal(file, LastGood) > 0) && File.Exists(file))
                File.Move(file, file + DivergedSuffix, overwrite: true);
        return LastGood is { } good
            ? $"the last checkpoint whose weights gave a finite loss, {good}, is kept (later ones renamed *{DivergedSuffix})"
            : $"no checkpoint of this run had given a finite loss yet (any written are renamed *{DivergedSuffix})";
    }

    /// <summary>Releases the folder's lock.</summary>
    public void Dispose() => _lock.Dispose();

    private static CheckpointLock Claim(string dir)
    {
        try
        {
            return CheckpointLock.Acquire(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--checkpoint: {e.Message}");
        }
    }

    /// <summary>Writes a checkpoint of the run now (the library's, with its options, plus the command's settings).</summary>
    public void Save()
    {
        try
        {
            Last = run.SaveCheckpoint(dir, _extra);
            _written.Add(Last);
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
        var skipped = new List<string>();
        var checkpoint = Dendrite.Checkpoint.LoadLatest(dir, skipped.Add);
        if (skipped.Count > 0)
            Console.Error.WriteLine($"dendrite: skipped {skipped.Count} damaged newer checkpoint{(skipped.Count == 1 ? "" : "s")} (newest: {skipped[0]})");
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
