using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dendrite;

/// <summary>
/// A training run's per-epoch metrics as JSON Lines, one object per epoch, flushed as each epoch ends so it can be
/// watched: <c>{"epoch":1,"train_loss":0.49,"test_loss":0.40,"test_accuracy":0.8586,...}</c>. <see cref="Open"/>
/// writes one (what <c>dendrite train --metrics</c> does), <see cref="Read"/> reads one back; missing test figures read as NaN.
/// Each epoch rewrites the whole file by <see cref="OutputFile"/>'s rule (a few hundred bytes per epoch), so a crash
/// never leaves half a line.
/// Per-step records (<see cref="WriteStep"/>, <c>train --metrics-every N</c>) share the file, told apart by their
/// <c>"step"</c> field: <c>{"step":100,"epoch":1,"batch":100,"batches":938,"train_loss":0.61,"learning_rate":0.001}</c>;
/// they are written with the next epoch's line (or when the log is disposed, so a run that fails still leaves them).
/// <see cref="Read"/> skips them and <see cref="ReadSteps"/> returns them.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly List<string> _lines;

    private MetricsLog(List<string> lines, string path)
    {
        _lines = lines;
        Path = path;
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for writing. A new run (<paramref name="resumeEpoch"/> null) starts it afresh. A
    /// resumed run whose next epoch is <paramref name="resumeEpoch"/> keeps the lines of the epochs before it (a crash
    /// may have left lines of later epochs than the checkpoint has: they are trained again and written again) and appends.
    /// </summary>
    /// <exception cref="InvalidDataException">Resuming, and a line of the existing file is not a metrics line.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static MetricsLog Open(string path, int? resumeEpoch = null)
    {
        var kept = resumeEpoch is int next && File.Exists(path) ? EpochsBefore(path, next) : [];
        var log = new MetricsLog(kept, path);
        log.Flush();
        return log;
    }

    // The lines of a metrics file whose epoch is below `next`; anything that is not a metrics line is an error.
    private static List<string> EpochsBefore(string path, int next)
    {
        var kept = new List<string>();
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            int epoch;
            try
            {
                using var doc = JsonDocument.Parse(line);
                epoch = doc.RootElement.GetProperty("epoch").GetInt32();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path} line {number} is not a metrics line (a JSON object with an epoch); resuming appends to it");
            }
            if (epoch < next) kept.Add(line);
        }
        return kept;
    }

    /// <summary>Appends one epoch's line and flushes it.</summary>
    public void Write(EpochMetrics m)
    {
        var line = new Dictionary<string, object>
        {
            ["epoch"] = m.Epoch,
            ["train_loss"] = Math.Round(m.TrainLoss, 6),
            ["test_loss"] = Math.Round(m.TestLoss, 6),
            ["test_accuracy"] = Math.Round(m.TestAccuracy, 6),
            ["train_samples_per_sec"] = Math.Round(m.TrainSamplesPerSecond, 1),
            ["seconds"] = Math.Round(m.Seconds, 3),
            ["learning_rate"] = m.LearningRate,
        };
        // Six significant digits, not six decimals: a regression error can be far below 1e-6.
        foreach (var (name, value) in m.Extra ?? new Dictionary<string, double>()) line[name] = double.Parse(value.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        _lines.Add(JsonSerializer.Serialize(line, Json));
        Flush();
    }

    /// <summary>Appends one step's line; it reaches the file with the next epoch's line or at <see cref="Dispose"/>.</summary>
    public void WriteStep(StepMetrics m)
    {
        var line = new Dictionary<string, object>
        {
            ["step"] = m.Step,
            ["epoch"] = m.Epoch,
            ["batch"] = m.Batch,
            ["batches"] = m.Batches,
            ["train_loss"] = float.IsFinite(m.TrainLoss) ? double.Parse(m.TrainLoss.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : m.TrainLoss,
            ["learning_rate"] = m.LearningRate,
        };
        _lines.Add(JsonSerializer.Serialize(line, Json));
        _pending = true;
    }

    private bool _pending;

    /// <summary>The per-step records of a metrics file, in order (empty when it has none).</summary>
    /// <exception cref="InvalidDataException">A step line lacks a field or is not JSON (the message names the file and line).</exception>
    public static IReadOnlyList<StepMetrics> ReadSteps(string path)
    {
        var steps = new List<StepMetrics>();
        ForEachRecord(path, o =>
        {
            if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty("step", out _)) return;
            steps.Add(new StepMetrics((long)Number(o, "step", required: true), (int)Number(o, "epoch", required: true),
                (int)Number(o, "batch", required: true), (int)Number(o, "batches", required: true),
                (float)Number(o, "train_loss", required: true), (float)Number(o, "learning_rate")));
        });
        return steps;
    }

    private void Flush()
    {
        _pending = false;
        AtomicFile.Write(Path, s =>
        {
            using var writer = new StreamWriter(s, leaveOpen: true);
            foreach (var line in _lines) writer.WriteLine(line);
        });
    }

    /// <summary>Writes step records not yet in the file (an epoch's write is complete otherwise); nothing is held open.</summary>
    public void Dispose()
    {
        if (_pending) Flush();
    }

    /// <summary>Every epoch of a metrics file; fields other than the standard ones land in <see cref="EpochMetrics.Extra"/>.</summary>
    /// <exception cref="InvalidDataException">A line is not a metrics line (the message names the file and line), or there is none.</exception>
    public static IReadOnlyList<EpochMetrics> Read(string path)
    {
        var epochs = new List<EpochMetrics>();
        ForEachRecord(path, o =>
        {
            if (o.ValueKind != JsonValueKind.Object) throw new InvalidDataException("not a JSON object");
            if (o.TryGetProperty("step", out _)) return; // a per-step record: ReadSteps
            Dictionary<string, double>? extra = null;
            foreach (var p in o.EnumerateObject())
                if (!Standard.Contains(p.Name)) (extra ??= [])[p.Name] = Number(o, p.Name);
            epochs.Add(new EpochMetrics(
                (int)Number(o, "epoch", required: true), (float)Number(o, "train_loss", required: true),
                (float)Number(o, "test_loss"), (float)Number(o, "test_accuracy"),
                Number(o, "train_samples_per_sec"), Number(o, "seconds"), (float)Number(o, "learning_rate"), extra));
        });
        if (epochs.Count == 0) throw new InvalidDataException($"{path}: no epochs (expected one JSON object per line)");
        return epochs;
    }

    /// <summary>
    /// Hands each non-blank line of <paramref name="path"/>, parsed as JSON, to <paramref name="read"/>; a line that is not
    /// JSON or that <paramref name="read"/> rejects becomes one error naming the file and line.
    /// </summary>
    private static void ForEachRecord(string path, Action<JsonElement> read)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found");
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                read(doc.RootElement);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or FormatException)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {e.Message}");
            }
        }
    }

    private static readonly HashSet<string> Standard =
        ["epoch", "train_loss", "test_loss", "test_accuracy", "train_samples_per_sec", "seconds", "learning_rate"];

    private static double Number(JsonElement o, string name, bool required = false)
    {
        if (!o.TryGetProperty(name, out var v))
            return required ? throw new InvalidDataException($"no \"{name}\"") : double.NaN;
        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            JsonValueKind.String when v.GetString() is "NaN" => double.NaN,
            _ => throw new InvalidDataException($"\"{name}\" is {v.GetRawText()}, not a number"),
        };
    }
}
