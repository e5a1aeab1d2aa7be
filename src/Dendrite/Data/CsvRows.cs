using System.Text;

namespace Dendrite;

/// <summary>
/// The rows of CSV text, read character by character (RFC 4180): fields split at commas outside quotes, a quoted field
/// may hold commas, "" for a quote, and line breaks; unquoted fields are trimmed; blank lines are skipped. A row longer
/// than the limit is refused as soon as it passes it, so a file of one endless line costs no more than the limit.
/// </summary>
internal sealed class CsvRows(TextReader reader, string path, int maxRowLength)
{
    private readonly List<string> _cells = [];
    private readonly StringBuilder _cell = new();
    private bool _quoted, _wasQuoted, _afterQuote, _content;
    private int _line = 1, _rowLine = 1, _rowLength;

    public IEnumerable<(string[] Cells, int Line)> Read()
    {
        var buffer = new char[1 << 16];
        bool pendingCr = false;
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                char c = buffer[i];
                if (pendingCr)
                {
                    pendingCr = false;
                    if (c == '\n') continue; // \r\n is one line break
                }
                if (c == '\r')
                {
                    pendingCr = true;
                    c = '\n';
                }
                if (++_rowLength > maxRowLength)
                    throw new InvalidDataException($"{path}: line {_rowLine}: a row longer than {maxRowLength:N0} characters; not a table this reads");
                if (c == '\n' && !_quoted)
                {
                    if (EndRow() is { } row) yield return (row, _rowLine);
                    _line++;
                    StartRow();
                    continue;
                }
                if (c == '\n') _line++;
                Take(c);
            }
        }
        if (_quoted) throw new InvalidDataException($"{path}: line {_rowLine}: a quote in field {_cells.Count + 1} is not closed");
        if (EndRow() is { } last) yield return (last, _rowLine);
    }

    private void StartRow()
    {
        _cells.Clear();
        _cell.Clear();
        _quoted = _wasQuoted = _afterQuote = _content = false;
        _rowLine = _line;
        _rowLength = 0;
    }

    private void Take(char c)
    {
        if (_quoted)
        {
            if (c != '"') _cell.Append(c);
            else
            {
                _quoted = false;
                _afterQuote = true; // a quote right after this one makes "" (one quote inside the field)
            }
            return;
        }
        if (_afterQuote && c == '"')
        {
            _cell.Append('"');
            _quoted = true;
            _afterQuote = false;
            return;
        }
        _afterQuote = false;
        if (c == '"' && !_wasQuoted && IsBlank(_cell))
        {
            _quoted = _wasQuoted = _content = true;
            _cell.Clear();
        }
        else if (c == ',')
        {
            EndCell();
            _content = true;
        }
        else if (_wasQuoted && !char.IsWhiteSpace(c))
            throw new InvalidDataException($"{path}: line {_line}: text after a closing quote in field {_cells.Count + 1}");
        else if (!_wasQuoted)
        {
            _cell.Append(c);
            if (!char.IsWhiteSpace(c)) _content = true;
        }
    }

    private void EndCell()
    {
        _cells.Add(_wasQuoted ? _cell.ToString() : _cell.ToString().Trim());
        _cell.Clear();
        _wasQuoted = false;
        _afterQuote = false;
    }

    // The row's cells, or null for a blank line.
    private string[]? EndRow()
    {
        if (!_content) return null;
        EndCell();
        return [.. _cells];
    }

    private static bool IsBlank(StringBuilder sb)
    {
        for (int i = 0; i < sb.Length; i++)
            if (!char.IsWhiteSpace(sb[i])) return false;
        return true;
    }
}
