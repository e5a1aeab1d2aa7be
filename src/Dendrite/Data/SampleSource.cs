namespace Dendrite;

/// <summary>
/// Samples that stay on disk and are read one at a time, so a data set larger than memory can be trained on: a
/// <see cref="Dataset"/> built on a source keeps only the labels in memory (see <see cref="Dataset.IsStreamed"/>).
/// <see cref="Read"/> must give the same values every time and may be called from several threads at once: the
/// <see cref="DataLoader"/> reads a batch's samples in parallel, ahead of the training step.
/// </summary>
public abstract class SampleSource : IDisposable
{
    /// <summary>How many samples the source holds.</summary>
    public abstract int Count { get; }

    /// <summary>One sample's shape, e.g. [C, H, W].</summary>
    public abstract int[] SampleShape { get; }

    /// <summary>Where the samples come from (a file or folder), for messages.</summary>
    public abstract string Name { get; }

    /// <summary>Writes sample <paramref name="index"/> (0 to <see cref="Count"/> - 1) into <paramref name="destination"/>, which holds exactly one sample.</summary>
    /// <exception cref="InvalidDataException">The sample cannot be read (a file changed or vanished); the message names the file.</exception>
    public abstract void Read(int index, Span<float> destination);

    /// <summary>Closes the files the source holds open.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the source's files; <paramref name="disposing"/> is false from a finaliser.</summary>
    protected virtual void Dispose(bool disposing) { }
}
