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

    /// <summary>Opens (truncates) the file, or returns null when no path is given.</summary>
    public static MetricsFile? Open(string? path)
    {
        if (path is null) return null;
        try
        {
            return new MetricsFile(new StreamWriter(path, append: false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--metrics: cannot write {path}: {e.Message}");
        }
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
