using System.Globalization;

namespace Dendrite;

/// <summary>
/// A training run frozen between two steps: the model, the optimizer's state (per-parameter vectors, step
/// count, learning rate), the data loader's order and generator, and the position (epoch, batch, loss so far).
/// One safetensors file per checkpoint, <c>step-NNNNNNNNNN.safetensors</c> in the checkpoint folder, written
/// atomically; the newest <see cref="Keep"/> are kept. The file is also a model file: eval and export read it.
/// Resuming from it with the same seed and thread count gives bit-identical weights to a run never stopped.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>How many checkpoint files <see cref="Save"/> leaves in the folder; older ones are deleted.</summary>
    public const int Keep = 2;
    private const string Prefix = "step-", Extension = ".safetensors";
    private const string OptimizerPrefix = "optimizer.", LoaderOrder = "loader.order";
    internal static readonly string[] StatePrefixes = [OptimizerPrefix, "loader."];
    internal const string StepsKey = "checkpoint.steps";

    private Checkpoint(SavedModel model) => Model = model;

    /// <summary>The network and metadata, rebuilt as <see cref="ModelFile.Load(string, Engine?)"/> would.</summary>
    public SavedModel Model { get; }
    /// <summary>Where training stood when the checkpoint was written; <see cref="Trainer.Resume"/> continues from it.</summary>
    public TrainingPosition Position { get; private init; }
    /// <summary>The optimizer's <see cref="Optimizer.Name"/>; <see cref="Restore"/> refuses one of another kind.</summary>
    public string OptimizerName { get; private init; } = "";
    /// <summary>The optimizer's <see cref="Optimizer.Steps"/>, also the number in the file name.</summary>
    public long Steps { get; private init; }
    /// <summary>The rate the last step used, after the schedule (informational: resuming recomputes it from the base rate).</summary>
    public float LearningRate { get; private init; }
    /// <summary>The unscheduled rate (<see cref="Trainer.BaseLearningRate"/>); <see cref="Restore"/> sets it on the optimizer.</summary>
    public float BaseLearningRate { get; private init; }
    /// <summary>The loader's batch size; <see cref="Restore"/> requires the same.</summary>
    public int BatchSize { get; private init; }
    /// <summary>The loader generator's <see cref="Rng.State"/>, so shuffles and augmentation continue as if never stopped.</summary>
    public ulong LoaderRngState { get; private init; }
    /// <summary>The checkpoint file's path.</summary>
    public string Path => Model.File.Path;

    /// <summary>All of the file's metadata, including what the caller added when saving (e.g. its settings).</summary>
    public IReadOnlyDictionary<string, string> Metadata => Model.File.Metadata;

    /// <summary>
    /// Writes a checkpoint of <paramref name="trainer"/> at its current <see cref="Trainer.Position"/> into
    /// <paramref name="dir"/> and deletes all but the newest <see cref="Keep"/>. Returns the file's path.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A weight or buffer (batch norm's running statistics) is NaN or infinite; nothing is written.</exception>
    public static string Save(string dir, Trainer trainer, DataLoader loader, ModelMetadata metadata, IReadOnlyDictionary<string, string>? extra = null)
    {
        trainer.Synchronize(); // a device's trained values come down first
        var net = trainer.Model;
        var opt = trainer.Optimizer;
        foreach (var (_, t) in ModelFile.Tensors(net))
            if (!AllFinite(t.Span))
                throw new TrainingDivergedException(trainer.Position.Epoch, trainer.Position.Batch, float.NaN);

        var writer = ModelFile.Writer(net, metadata);
        foreach (var (name, p) in net.NamedParameters)
        {
            var slots = opt.StateOf(p);
            for (int k = 0; k < slots.Length; k++) writer.Add($"{OptimizerPrefix}{name}.{k}", p.Value.Shape, slots[k]);
        }
        writer.Add(LoaderOrder, [loader.Order.Length], loader.Order);
        var m = writer.Metadata;
        if (extra is not null)
            foreach (var (key, value) in extra) m[key] = value;
        var pos = trainer.Position;
        m["checkpoint.epoch"] = Text(pos.Epoch);
        m["checkpoint.batch"] = Text(pos.Batch);
        m["checkpoint.loss_sum"] = pos.LossSum.ToString("R", CultureInfo.InvariantCulture);
        m["checkpoint.optimizer"] = opt.Name;
        m[StepsKey] = Text(opt.Steps);
        m["checkpoint.learning_rate"] = opt.LearningRate.ToString("R", CultureInfo.InvariantCulture);
        m["checkpoint.base_learning_rate"] = trainer.BaseLearningRate.ToString("R", CultureInfo.InvariantCulture);
        m["checkpoint.batch_size"] = Text(loader.BatchSize);
        m["checkpoint.loader_rng"] = Text(loader.RngState);

        Directory.CreateDirectory(dir);
        string path = System.IO.Path.Combine(dir, $"{Prefix}{opt.Steps:D10}{Extension}");
        AtomicFile.Write(path, writer.WriteTo);
        foreach (var old in List(dir).Skip(Keep)) File.Delete(old);
        return path;
    }

    /// <summary>Checkpoint files in the folder, newest first (temporary files are not listed).</summary>
    public static IReadOnlyList<string> List(string dir) =>
        Directory.Exists(dir)
            ? [.. Directory.GetFiles(dir, $"{Prefix}*{Extension}").Where(f => f.EndsWith(Extension, StringComparison.Ordinal)).OrderDescending(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// The newest checkpoint in <paramref name="dir"/> that reads and checks cleanly. A damaged newer file
    /// (cut short by a crash, say) is skipped and reported through <paramref name="skipped"/>. The model computes on
    /// <paramref name="engine"/> (<see cref="Engine.Default"/> when null).
    /// </summary>
    public static Checkpoint LoadLatest(string dir, Action<string>? skipped = null, Engine? engine = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such checkpoint folder");
        var files = List(dir);
        if (files.Count == 0) throw new FileNotFoundException($"{dir}: no checkpoint ({Prefix}*{Extension}) in this folder");
        InvalidDataException? last = null;
        foreach (var file in files)
        {
            try
            {
                return Load(file, engine);
            }
            catch (InvalidDataException e)
            {
                skipped?.Invoke(e.Message);
                last = e;
            }
        }
        throw new InvalidDataException($"{dir}: no checkpoint could be read; newest problem: {last!.Message}");
    }

    /// <summary>Reads one checkpoint file: the model (computing on <paramref name="engine"/>, <see cref="Engine.Default"/> when null) and its training state.</summary>
    public static Checkpoint Load(string path, Engine? engine = null) => Read(SafeTensorsFile.Read(path), path, engine);

    /// <summary>Reads a checkpoint from <paramref name="stream"/> (from its position to its end); <paramref name="name"/> names it in errors.</summary>
    public static Checkpoint Load(Stream stream, string name, Engine? engine = null) => Read(SafeTensorsFile.Read(stream, name), name, engine);

    private static Checkpoint Read(SafeTensorsFile file, string path, Engine? engine)
    {
        var model = ModelFile.Rebuild(file, engine, StatePrefixes);
        var m = file.Metadata;
        string Get(string key) => m.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{path}: no '{key}' in the metadata (not a checkpoint?)");
        var position = new TrainingPosition(Int(Get("checkpoint.epoch"), 1, path), Int(Get("checkpoint.batch"), 0, path),
            Number(Get("checkpoint.loss_sum"), path));
        var checkpoint = new Checkpoint(model)
        {
            Position = position,
            OptimizerName = Get("checkpoint.optimizer"),
            Steps = long.TryParse(Get(StepsKey), NumberStyles.None, CultureInfo.InvariantCulture, out long steps) ? steps : throw Bad(path, $"{StepsKey} is not a count"),
            LearningRate = (float)Number(Get("checkpoint.learning_rate"), path),
            BaseLearningRate = (float)Number(Get("checkpoint.base_learning_rate"), path),
            BatchSize = Int(Get("checkpoint.batch_size"), 1, path),
            LoaderRngState = ulong.TryParse(Get("checkpoint.loader_rng"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong rng) ? rng : throw Bad(path, "checkpoint.loader_rng is not a number"),
        };
        foreach (var e in file.Entries)
            if (e.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && e.DType != "F32") throw Bad(path, $"tensor '{e.Name}' dtype {e.DType}");
        var order = file.Find(LoaderOrder) ?? throw new InvalidDataException($"{path}: no '{LoaderOrder}' tensor (not a checkpoint?)");
        if (order.DType != "I32" || order.Shape.Length != 1) throw new InvalidDataException($"{path}: '{LoaderOrder}' must be a 1-D I32 tensor");
        return checkpoint;
    }

    /// <summary>
    /// Puts the saved state into an optimizer built for <see cref="Model"/>'s network (same kind, same
    /// settings) and into a loader over the same training data with the same batch size.
    /// </summary>
    public void Restore(Optimizer optimizer, DataLoader loader)
    {
        var file = Model.File;
        if (optimizer.Name != OptimizerName) throw Bad(Path, $"checkpoint.optimizer is {OptimizerName}, resuming with {optimizer.Name}");
        if (loader.BatchSize != BatchSize) throw Bad(Path, $"saved with batch size {BatchSize}, resuming with {loader.BatchSize}");
        if (Position.Batch > loader.BatchCount) throw Bad(Path, $"position batch {Position.Batch} is past the epoch's {loader.BatchCount} batches");

        var order = file.Ints(file.Find(LoaderOrder)!);
        if (order.Length != loader.Order.Length) throw Bad(Path, $"loader order covers {order.Length} samples, the training data has {loader.Order.Length}");
        var seen = new bool[order.Length];
        foreach (int i in order)
        {
            if (i < 0 || i >= order.Length || seen[i]) throw Bad(Path, "loader order is not a permutation of the samples");
            seen[i] = true;
        }

        var expected = new HashSet<string>();
        foreach (var (name, p) in Model.Net.NamedParameters)
        {
            var slots = optimizer.StateOf(p);
            for (int k = 0; k < slots.Length; k++)
            {
                string key = $"{OptimizerPrefix}{name}.{k}";
                var e = file.Find(key) ?? throw Bad(Path, $"no optimizer state '{key}'");
                if (e.Count != p.Length) throw Bad(Path, $"optimizer state '{key}' holds {e.Count} values, {name} has {p.Length}");
                file.Floats(e).CopyTo(slots[k], 0);
                expected.Add(key);
            }
        }
        foreach (var e in file.Entries)
            if (e.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !expected.Contains(e.Name))
                throw Bad(Path, $"optimizer state '{SafeTensorsFile.Clip(e.Name)}' belongs to no parameter");

        optimizer.Steps = Steps;
        optimizer.LearningRate = BaseLearningRate;
        loader.RngState = LoaderRngState; // first: it drops any batch prepared ahead from the old order
        order.CopyTo(loader.Order, 0);
    }

    private static bool AllFinite(ReadOnlySpan<float> values) => values.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) < 0;

    private static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Text(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private static int Int(string text, int min, string path) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min ? v : throw Bad(path, $"'{SafeTensorsFile.Clip(text)}' is not a count");

    private static double Number(string text, string path) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : throw Bad(path, $"'{SafeTensorsFile.Clip(text)}' is not a number");

    private static InvalidDataException Bad(string path, string message) => new($"{path}: {message}");
}
