using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dendrite.Cli;

/// <summary>Writes one JSON object per epoch (JSON Lines), flushed as each epoch ends so it can be watched.</summary>
public sealed class MetricsFile : IDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly StreamWriter _writer;

    private MetricsFile(StreamWriter writer) => _writer = writer;

    /// <summary>
    /// Opens the file, or returns null when no path is given. A new run starts it afresh. A resumed run whose next
    /// epoch is <paramref name="resumeEpoch"/> keeps the lines of the epochs before it (a crash may have left lines
    /// of later epochs than the checkpoint has: they are trained again and written again) and appends.
    /// </summary>
    public static MetricsFile? Open(string? path, int? resumeEpoch = null)
    {
        if (path is null) return null;
        try
        {
            var kept = resumeEpoch is int next && File.Exists(path) ? EpochsBefore(path, next) : [];
            var writer = new StreamWriter(path, append: false);
            foreach (var line in kept) writer.WriteLine(line);
            writer.Flush();
            return new MetricsFile(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--metrics: cannot write {path}: {e.Message}");
        }
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
                throw new UsageException($"--metrics: {path} line {number} is not a metrics line (a JSON object with an epoch); resuming appends to it");
            }
            if (epoch < next) kept.Add(line);
        }
        return kept;
    }

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
        _writer.WriteLine(JsonSerializer.Serialize(line, Json));
        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();
}
