using System.Globalization;
using System.Text;

namespace Dendrite;

/// <summary>
/// A comma-separated text file as rows of cells, each row with its line number. Fields may be quoted ("a, b", with ""
/// for a quote inside); blank lines are skipped. The first line is taken for a header when some column holds text
/// there and a number on the next line; otherwise the columns are named 1, 2, 3, ...
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string path, string[] columns, bool hasHeader, List<string[]> rows, List<int> lines)
    {
        Path = path;
        Columns = columns;
        HasHeader = hasHeader;
        Rows = rows;
        Lines = lines;
    }

    /// <summary>The file name given to <see cref="Read"/> or <see cref="Parse"/>; error messages start with it.</summary>
    public string Path { get; }
    /// <summary>Column names from the header line, or "1", "2", ... when there is none.</summary>
    public string[] Columns { get; }
    /// <summary>Whether the first line was taken for a header (the rule is in the class summary).</summary>
    public bool HasHeader { get; }
    /// <summary>The data rows (the header excluded), each with <see cref="Columns"/>.Length cells, trimmed.</summary>
    public IReadOnlyList<string[]> Rows { get; }
    /// <summary>The 1-based line number of each row in the file, for messages.</summary>
    public IReadOnlyList<int> Lines { get; }

    /// <summary>Reads and parses the file at <paramref name="path"/> (UTF-8 unless a byte-order mark says otherwise).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Parse"/>.</exception>
    public static CsvTable Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path);
    }

    /// <summary>The longest row <see cref="Parse"/> reads, in characters; a longer one is refused before it is held in memory.</summary>
    public const int MaxRowLength = 1 << 20;

    /// <summary>Parses CSV text from <paramref name="reader"/>; <paramref name="path"/> names the source in error messages.</summary>
    /// <exception cref="InvalidDataException">
    /// Naming the file and line: a row with a different number of values than the first, an unclosed quote, text after a
    /// closing quote, a row longer than <see cref="MaxRowLength"/> characters, a header naming a column twice, or no data at all.
    /// </exception>
    /// <remarks>
    /// RFC 4180: a quoted field may hold commas, doubled quotes and line breaks; a row's line number is the line it starts on.
    /// </remarks>
    public static CsvTable Parse(TextReader reader, string path)
    {
        var rows = new List<string[]>();
        var lines = new List<int>();
        foreach (var (cells, lineNumber) in new CsvRows(reader, path, MaxRowLength).Read())
        {
            if (rows.Count > 0) CheckWidth(path, cells, lineNumber, rows[0].Length, lines[0]);
            rows.Add(cells);
            lines.Add(lineNumber);
        }
        return FromRows(path, rows, lines);
    }

    /// <summary>The rows of CSV text one at a time, as <see cref="Parse"/> reads them, with their line numbers.</summary>
    internal static IEnumerable<(string[] Cells, int Line)> ReadRows(TextReader reader, string path) => new CsvRows(reader, path, MaxRowLength).Read();

    /// <summary>Refuses a row that has not the first row's number of values.</summary>
    internal static void CheckWidth(string path, string[] cells, int line, int width, int firstLine)
    {
        if (cells.Length != width)
            throw new InvalidDataException($"{path}: line {line}: {cells.Length} values, expected {width} as on line {firstLine}");
    }

    /// <summary>A table of the rows read so far (at least the first two when there are two): the header rule applied.</summary>
    internal static CsvTable FromRows(string path, List<string[]> rows, List<int> lines)
    {
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no data");
        bool header = rows.Count > 1 && Enumerable.Range(0, rows[0].Length).Any(j => !IsNumber(rows[0][j]) && IsNumber(rows[1][j]));
        string[] columns;
        if (header)
        {
            columns = rows[0];
            var repeated = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
            if (repeated is not null) throw new InvalidDataException($"{path}: line {lines[0]}: column '{repeated.Key}' appears twice in the header");
            rows.RemoveAt(0);
            lines.RemoveAt(0);
        }
        else columns = [.. Enumerable.Range(1, rows[0].Length).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        return new CsvTable(path, columns, header, rows, lines);
    }

    /// <summary>A number as the invariant culture writes it (1.5, -2e-3), finite.</summary>
    public static bool IsNumber(string cell) => TryNumber(cell, out _);

    /// <summary>Parses <paramref name="cell"/> as <see cref="IsNumber"/> does; <paramref name="value"/> is the number when it returns true.</summary>
    public static bool TryNumber(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The column whose name is <paramref name="name"/> (exact, then ignoring case), or whose 1-based number it is.</summary>
    public int ColumnIndex(string name)
    {
        int i = Array.IndexOf(Columns, name);
        if (i < 0) i = Array.FindIndex(Columns, c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
        if (i < 0 && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number >= 1 && number <= Columns.Length)
            i = number - 1;
        if (i < 0)
            throw new InvalidDataException($"{Path}: no column '{name}'; the columns are {string.Join(", ", Columns)}" +
                                           (HasHeader ? "" : " (no header line was found, so they are numbered)"));
        return i;
    }
}
