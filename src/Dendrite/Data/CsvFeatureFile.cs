using Microsoft.Win32.SafeHandles;

namespace Dendrite;

/// <summary>
/// A CSV table's feature columns as float32 rows in a temporary file, written in one pass over the table and unlinked as
/// soon as it is open (nothing is left behind, even when the process is killed): what a streamed
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
        string temp = Path.Combine(Path.GetTempPath(), $"dendrite-{Environment.ProcessId}-{Guid.NewGuid():N}.csv.f32");
        try
        {
            int count = 0;
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var values = new float[features.Length];
                foreach (var (cells, line) in rows)
                {
                    for (int f = 0; f < features.Length; f++) values[f] = number(cells, features[f], line);
                    stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
                    row(cells, line);
                    count++;
                }
            }
            return new CsvFeatureFile(File.OpenHandle(temp, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess), features.Length, count);
        }
        finally
        {
            File.Delete(temp); // an open file stays readable once unlinked
        }
    }

    /// <summary>Row <paramref name="row"/>'s features into <paramref name="values"/>; thread-safe.</summary>
    public void Read(int row, Span<float> values)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values[..Features]);
        long at = (long)row * Features * sizeof(float);
        for (int read = 0; read < bytes.Length;)
        {
            int n = RandomAccess.Read(_file, bytes[read..], at + read);
            if (n == 0) throw new InvalidDataException("the temporary feature file got shorter while it was read");
            read += n;
        }
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
