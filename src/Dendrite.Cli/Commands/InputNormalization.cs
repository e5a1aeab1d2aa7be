namespace Dendrite.Cli.Commands;

/// <summary>train --normalize: none, auto or MEAN,STD (<see cref="Normalization.Parse"/>).</summary>
public static class InputNormalization
{
    /// <summary>The normalisation asked for; null for auto (fitted on the training pixels once they are loaded).</summary>
    public static Normalization? Parse(string text)
    {
        try
        {
            return Normalization.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--normalize: {e.Message}");
        }
    }
}
