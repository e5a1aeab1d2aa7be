using System.Globalization;

namespace Dendrite;

/// <summary>
/// A CSV table as training and test sets: one target column, every other column a numeric feature. The rows are
/// split by a seeded shuffle; each feature is standardised, (x - mean) / std, with the mean and standard deviation of
/// the training part only, so nothing about the test rows leaks into training. Regression targets are kept as they are.
/// </summary>
public sealed partial class TabularData
{
    /// <summary>Integer-valued targets with at most this many distinct values are taken for classes when no task is given.</summary>
    public const int MaxGuessedClasses = 10;

    /// <summary>The training rows: standardised features [D] and the targets or class labels.</summary>
    public required Dataset Train { get; init; }
    /// <summary>Null when the test fraction is 0.</summary>
    public required Dataset? Test { get; init; }
    /// <summary>Feature column names, D of them, in the table's order without the target.</summary>
    public required string[] FeatureNames { get; init; }
    /// <summary>The target column's name as the table writes it.</summary>
    public required string TargetName { get; init; }
    /// <summary>The task given to <see cref="From"/>, or the one <see cref="Guess"/> chose.</summary>
    public required TabularTask Task { get; init; }
    /// <summary>Per-feature mean and standard deviation of the training part (a constant feature gets 1).</summary>
    public required float[] Mean { get; init; }
    /// <summary>The standard deviations described at <see cref="Mean"/>: population (divided by the training row count), 1 where below 1e-12.</summary>
    public required float[] Std { get; init; }

    /// <summary>Reads the CSV file at <paramref name="path"/> and splits it as <see cref="From"/> does.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">As <see cref="CsvTable.Parse"/> and <see cref="From"/>.</exception>
    public static TabularData Load(string path, string target, TabularTask? task = null, double testFraction = 0.2, ulong seed = 1) =>
        From(CsvTable.Read(path), target, task, testFraction, seed);

    /// <summary>
    /// Splits <paramref name="table"/> into standardised training and test sets. For classification the classes are the
    /// target's distinct values, in numeric order when all are numbers (so "2" and "2.0" are one class), else ordinal.
    /// </summary>
    /// <param name="table">The parsed file (<see cref="CsvTable.Read"/>).</param>
    /// <param name="target">The target column: its name (exact, then ignoring case) or its 1-based number.</param>
    /// <param name="task">Null to <see cref="Guess"/> from the target column.</param>
    /// <param name="testFraction">
    /// Share of rows, in [0, 1), held out for testing: rounded, at least one row when above 0, and at least one row left
    /// for training.
    /// </param>
    /// <param name="seed">Seeds the shuffle that splits the rows.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is outside [0, 1).</exception>
    /// <exception cref="InvalidDataException">
    /// Naming the file (and the line where there is one): no such column, no feature columns, a feature or regression target
    /// that is not a number or lies beyond float32's range, a classification target with one value, too few rows to split.
    /// </exception>
    public static TabularData From(CsvTable table, string target, TabularTask? task = null, double testFraction = 0.2, ulong seed = 1)
    {
        CheckFraction(testFraction);
        int t = table.ColumnIndex(target);
        int n = table.Rows.Count, d = table.Columns.Length - 1;
        if (d == 0) throw new InvalidDataException($"{table.Path}: only the target column '{table.Columns[t]}', no features");
        var featureColumns = Enumerable.Range(0, table.Columns.Length).Where(j => j != t).ToArray();
        var x = new float[n * d];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < d; f++)
                x[i * d + f] = (float)Number(table, i, featureColumns[f], FeatureMustBeNumber);

        var targetCells = table.Rows.Select(r => r[t]).ToArray();
        var resolved = task ?? Guess(targetCells);

        var (trainRows, testRows) = Split(n, testFraction, seed, table.Path);
        int testCount = testRows.Length;

        var (mean, std) = Moments(d, trainRows, (i, row) => x.AsSpan(i * d, d).CopyTo(row));
        for (int i = 0; i < n; i++)
            for (int f = 0; f < d; f++) x[i * d + f] = (x[i * d + f] - mean[f]) / std[f];

        Func<int[], Dataset> make;
        if (resolved == TabularTask.Regression)
        {
            var y = new float[n];
            for (int i = 0; i < n; i++) y[i] = (float)Number(table, i, t, TargetMustBeNumber);
            make = rows => new Dataset(Gather(x, d, rows), [d], rows.Select(i => y[i]).ToArray(), 1);
        }
        else
        {
            var (names, labels) = Classes(targetCells, table.Path, table.Columns[t]);
            make = rows => new Dataset(Gather(x, d, rows), [d], rows.Select(i => labels[i]).ToArray(), names.Length, names);
        }
        return new TabularData
        {
            Train = make(trainRows),
            Test = testCount > 0 ? make(testRows) : null,
            FeatureNames = featureColumns.Select(j => table.Columns[j]).ToArray(),
            TargetName = table.Columns[t],
            Task = resolved,
            Mean = mean,
            Std = std,
        };
    }

    private static void CheckFraction(double testFraction)
    {
        if (!(testFraction >= 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"test fraction must be in [0, 1), got {testFraction.ToString(CultureInfo.InvariantCulture)}");
    }

    // The rows shuffled by the seed, the first round(fraction * n) of them (at least one, leaving one) to test; each part in row order.
    private static (int[] Train, int[] Test) Split(int n, double testFraction, ulong seed, string path)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Rng(seed ^ 0xC5B1E5D17A7AUL).Shuffle(order);
        if (testFraction > 0 && n < 2)
            throw new InvalidDataException($"{path}: {n} data row; a test part and a training part need at least 2 rows (or a test fraction of 0)");
        int testCount = testFraction == 0 ? 0 : Math.Clamp((int)Math.Round(testFraction * n), 1, n - 1);
        if (n - testCount < 1) throw new InvalidDataException($"{path}: {n} rows leave no training rows");
        return (order[testCount..].Order().ToArray(), order[..testCount].Order().ToArray());
    }

    /// <summary>Classification when the target has text, or only whole numbers with few distinct values; else regression.</summary>
    public static TabularTask Guess(IReadOnlyList<string> targetCells)
    {
        var values = new HashSet<double>();
        foreach (var cell in targetCells)
        {
            if (!CsvTable.TryNumber(cell, out double v)) return TabularTask.Classification;
            if (v != Math.Round(v)) return TabularTask.Regression;
            values.Add(v);
        }
        return values.Count <= MaxGuessedClasses ? TabularTask.Classification : TabularTask.Regression;
    }

    // The class names and each row's label; at least two classes.
    private static (string[] Names, int[] Labels) Classes(string[] cells, string path, string column)
    {
        var names = ClassNames(cells);
        if (names.Length < 2)
            throw new InvalidDataException($"{path}: column '{column}' holds '{Clip(cells[0])}' on every row; classification needs at least two classes");
        var index = new Dictionary<string, int>();
        for (int c = 0; c < names.Length; c++) index[names[c]] = c;
        return (names, cells.Select(v => index[ClassKey(v)]).ToArray());
    }

    /// <summary>Distinct labels in order: numerically when all are numbers (so "2" and "2.0" are one class), else ordinally.</summary>
    private static string[] ClassNames(string[] cells)
    {
        var keys = cells.Select(ClassKey).Distinct().ToArray();
        return cells.All(CsvTable.IsNumber)
            ? [.. keys.OrderBy(k => double.Parse(k, CultureInfo.InvariantCulture))]
            : [.. keys.Order(StringComparer.Ordinal)];
    }

    private static string ClassKey(string cell) =>
        CsvTable.TryNumber(cell, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : cell;

    private static double Number(CsvTable table, int row, int column, string why) =>
        Number(table.Path, table.Lines[row], table.Columns[column], table.Rows[row][column], why);

    private static double Number(string path, int line, string column, string cell, string why)
    {
        if (CsvTable.TryNumber(cell, out double v))
            return Math.Abs(v) <= float.MaxValue
                ? v
                : throw new InvalidDataException($"{path}: line {line}: column '{column}' {Clip(cell)} is beyond float32's range (±3.4e38)");
        string what = cell.Length == 0 ? "is empty" : $"'{Clip(cell)}' is not a number";
        throw new InvalidDataException($"{path}: line {line}: column '{column}' {what}; {why}");
    }

    private const string FeatureMustBeNumber = "a feature must be a number (categorical features are not supported)";
    private const string TargetMustBeNumber = "a regression target must be a number";

    // A cell as a one-line message shows it: line breaks (a quoted field may hold them) escaped, long text cut.
    private static string Clip(string cell)
    {
        cell = cell.Replace("\r", "\\r").Replace("\n", "\\n");
        return cell.Length <= 40 ? cell : cell[..37] + "...";
    }

    // Each feature's mean and population deviation over the given rows (1 where it is below 1e-12), summed in double in
    // row order, for rows in memory and rows read from a file alike (so the two give the same bits).
    private static (float[] Mean, float[] Std) Moments(int d, int[] rows, Action<int, float[]> read)
    {
        var x = new float[d];
        var sum = new double[d];
        var sq = new double[d];
        foreach (int i in rows)
        {
            read(i, x);
            for (int f = 0; f < d; f++) sum[f] += x[f];
        }
        var m = new double[d];
        for (int f = 0; f < d; f++) m[f] = sum[f] / rows.Length;
        foreach (int i in rows)
        {
            read(i, x);
            for (int f = 0; f < d; f++) sq[f] += (x[f] - m[f]) * (x[f] - m[f]);
        }
        var mean = new float[d];
        var std = new float[d];
        for (int f = 0; f < d; f++)
        {
            double s = Math.Sqrt(sq[f] / rows.Length);
            mean[f] = (float)m[f];
            std[f] = s > 1e-12 ? (float)s : 1f;
        }
        return (mean, std);
    }

    private static float[] Gather(float[] x, int d, int[] rows)
    {
        var g = new float[rows.Length * d];
        for (int r = 0; r < rows.Length; r++) x.AsSpan(rows[r] * d, d).CopyTo(g.AsSpan(r * d, d));
        return g;
    }
}
