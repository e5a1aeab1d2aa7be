using System.Globalization;
using System.Text.Json;

namespace Dendrite.Visualization;

/// <summary>
/// Reads the per-epoch JSON Lines that <c>dendrite train --metrics</c> writes:
/// <c>{"epoch":1,"train_loss":0.49,"test_loss":0.40,"test_accuracy":0.8586,...}</c>. Missing test figures read as NaN.
/// </summary>
public static class MetricsLog
{
    public static IReadOnlyList<EpochMetrics> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found");
        var epochs = new List<EpochMetrics>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object) throw new InvalidDataException("not a JSON object");
                epochs.Add(new EpochMetrics(
                    (int)Number(o, "epoch", required: true), (float)Number(o, "train_loss", required: true),
                    (float)Number(o, "test_loss"), (float)Number(o, "test_accuracy"),
                    Number(o, "train_samples_per_sec"), Number(o, "seconds"), (float)Number(o, "learning_rate")));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or FormatException)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {e.Message}");
            }
        }
        if (epochs.Count == 0) throw new InvalidDataException($"{path}: no epochs (expected one JSON object per line)");
        return epochs;
    }

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
