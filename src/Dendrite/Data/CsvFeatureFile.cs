using Microsoft.Win32.SafeHandles;

namespace Dendrite;

/// <summary>
/// A CSV table's feature columns as float32 rows in a <see cref="ScratchFile"/>, written in one pass over the table: what a streamed
/// <see cref="TabularData"/> reads its rows from. Memory holds the target column, not the features.
/// </summary>
internal sealed class CsvFeatureFile : IDisposable
{
    private readonly SafeFileHandle _file;

    private CsvFeatureFile(SafeFileHandle file, int features, int rows) => (_file, Features, Rows) = (file, features, rows);

    /// <summary>Values per row.</summary>
    public int Features { get; }

    /// <summary>Rows written.</summary>
    public int Rows { get; }

    /// <summary>
    /// Writes each row's <paramref name="features"/> columns of <paramref name="rows"/> as floats, checked as
    /// <paramref name="number"/> checks them; calls <paramref name="row"/> with each row's cells and line (the target's part).
    /// </summary>
    public static CsvFeatureFile Write(IEnumerable<(string[] Cells, int Line)> rows, int[] features, Func<string[], int, int, float> number, Action<string[], int> row)
    {
        int count = 0;
        var file = ScratchFile.Create(".csv.f32", stream =>
        {
            var values = new float[features.Length];
            foreach (var (cells, line) in rows)
            {
                for (int f = 0; f < features.Length; f++) values[f] = number(cells, features[f], line);
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
                row(cells, line);
                count++;
            }
        });
        return new CsvFeatureFile(file, features.Length, count);
    }

    /// <summary>Row <paramref name="row"/>'s features into <paramref name="values"/>; thread-safe.</summary>
    public void Read(int row, Span<float> values)
    {
        if (!ScratchFile.ReadExactly(_file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values[..Features]), (long)row * Features * sizeof(float)))
            throw new InvalidDataException("the temporary feature file got shorter while it was read");
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>Some rows of a <see cref="CsvFeatureFile"/>, each feature standardised as it is read: (x - mean) / std.</summary>
internal sealed class StandardisedRows(CsvFeatureFile file, int[] rows, float[] mean, float[] std, string name) : SampleSource
{
    public override int Count => rows.Length;
    public override int[] SampleShape { get; } = [file.Features];
    public override string Name => name;

    public override void Read(int index, Span<float> destination)
    {
        file.Read(rows[index], destination);
        for (int f = 0; f < mean.Length; f++) destination[f] = (destination[f] - mean[f]) / std[f];
    }
}
