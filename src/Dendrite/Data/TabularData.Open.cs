using System.Text;

namespace Dendrite;

public sealed partial class TabularData
{
    /// <summary>
    /// <see cref="Load"/>, streamed: the table is read once, row by row, its features written as floats to a temporary
    /// file (unlinked at once) and read back a row at a time as training needs them, standardised on the way. Memory holds
    /// the target column and the split, not the features. The same split, statistics and values as <see cref="Load"/>,
    /// bit for bit, and the same errors (each row is checked as it is read).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Load"/>.</exception>
    public static TabularData Open(string path, string target, TabularTask? task = null, double testFraction = 0.2, ulong seed = 1)
    {
        CheckFraction(testFraction);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var rows = CsvTable.ReadRows(reader, path).GetEnumerator();
        // The first two rows decide the header, as CsvTable.Parse decides it.
        var first = new List<string[]>();
        var lines = new List<int>();
        while (first.Count < 2 && rows.MoveNext())
        {
            if (first.Count > 0) CsvTable.CheckWidth(path, rows.Current.Cells, rows.Current.Line, first[0].Length, lines[0]);
            first.Add(rows.Current.Cells);
            lines.Add(rows.Current.Line);
        }
        int width = first.Count > 0 ? first[0].Length : 0, firstLine = lines.Count > 0 ? lines[0] : 0;
        var head = CsvTable.FromRows(path, first, lines);
        int t = head.ColumnIndex(target);
        int d = head.Columns.Length - 1;
        if (d == 0) throw new InvalidDataException($"{path}: only the target column '{head.Columns[t]}', no features");
        var featureColumns = Enumerable.Range(0, head.Columns.Length).Where(j => j != t).ToArray();

        IEnumerable<(string[] Cells, int Line)> All()
        {
            for (int i = 0; i < head.Rows.Count; i++) yield return (head.Rows[i], head.Lines[i]);
            while (rows.MoveNext())
            {
                CsvTable.CheckWidth(path, rows.Current.Cells, rows.Current.Line, width, firstLine);
                yield return rows.Current;
            }
        }
        var targetCells = new List<string>();
        var targetLines = new List<int>();
        var file = CsvFeatureFile.Write(All(), featureColumns,
            (cells, j, line) => (float)Number(path, line, head.Columns[j], cells[j], FeatureMustBeNumber),
            (cells, line) =>
            {
                targetCells.Add(cells[t]);
                targetLines.Add(line);
            });
        try
        {
            int n = file.Rows;
            var resolved = task ?? Guess(targetCells);
            var (trainRows, testRows) = Split(n, testFraction, seed, path);
            var (mean, std) = Moments(file.Features, trainRows, (i, row) => file.Read(i, row));
            Func<int[], Dataset> make;
            if (resolved == TabularTask.Regression)
            {
                var y = new float[n];
                for (int i = 0; i < n; i++) y[i] = (float)Number(path, targetLines[i], head.Columns[t], targetCells[i], TargetMustBeNumber);
                make = part => new Dataset(new StandardisedRows(file, part, mean, std, path), part.Select(i => y[i]).ToArray(), 1);
            }
            else
            {
                var (names, labels) = Classes([.. targetCells], path, head.Columns[t]);
                make = part => new Dataset(new StandardisedRows(file, part, mean, std, path), part.Select(i => labels[i]).ToArray(), names.Length, names);
            }
            return new TabularData
            {
                Train = make(trainRows),
                Test = testRows.Length > 0 ? make(testRows) : null,
                FeatureNames = featureColumns.Select(j => head.Columns[j]).ToArray(),
                TargetName = head.Columns[t],
                Task = resolved,
                Mean = mean,
                Std = std,
            };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
