using System.Globalization;

namespace Dendrite.Cli.Commands;

/// <summary>train --normalize: none, auto or MEAN,STD.</summary>
public static class InputNormalization
{
    /// <summary>The normalisation asked for; null for auto (fitted on the training pixels once they are loaded).</summary>
    public static Normalization? Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "none") return Normalization.None;
        if (t == "auto") return null;
        var parts = t.Split(',');
        if (parts.Length != 2 || !float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float mean)
            || !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float std))
            throw new UsageException($"--normalize: expected none, auto or MEAN,STD (e.g. 0.286,0.353), got '{text}'");
        if (!float.IsFinite(mean)) throw new UsageException($"--normalize: the mean must be a finite number, got {parts[0]}");
        if (!(std > 0) || !float.IsFinite(std)) throw new UsageException($"--normalize: the standard deviation must be positive, got {parts[1]}");
        return new Normalization(mean, std);
    }
}
