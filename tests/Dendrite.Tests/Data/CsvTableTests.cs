namespace Dendrite.Tests.Data;

public class CsvTableTests
{
    private static CsvTable Parse(string text) => CsvTable.Parse(new StringReader(text), "t.csv");

    [Fact]
    public void Reads_a_header_and_rows_with_their_line_numbers()
    {
        var t = Parse("a, b ,label\n1,2.5,cat\n\n-3e-1, 4 ,\"dog, big\"\n");
        Assert.True(t.HasHeader);
        Assert.Equal(["a", "b", "label"], t.Columns);
        Assert.Equal(2, t.Rows.Count);
        Assert.Equal(["-3e-1", "4", "dog, big"], t.Rows[1]);
        Assert.Equal([2, 4], t.Lines);
    }

    [Fact]
    public void Without_a_header_the_columns_are_numbered()
    {
        var t = Parse("1,2,3\n4,5,6\n");
        Assert.False(t.HasHeader);
        Assert.Equal(["1", "2", "3"], t.Columns);
        Assert.Equal(2, t.Rows.Count);
        Assert.Equal(2, t.ColumnIndex("3"));
    }

    [Fact]
    public void A_text_label_column_alone_does_not_make_a_header()
    {
        var t = Parse("1,2,setosa\n4,5,virginica\n");
        Assert.False(t.HasHeader);
        Assert.Equal(2, t.Rows.Count);
    }

    [Fact]
    public void Quotes_inside_quoted_fields_are_doubled()
    {
        var t = Parse("x,name\n1,\"say \"\"hi\"\"\"\n");
        Assert.Equal("say \"hi\"", t.Rows[0][1]);
    }

    [Fact]
    public void A_ragged_row_is_reported_with_its_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("x,y,z\n1,2,3\n\n4,5\n"));
        Assert.Equal("t.csv: line 4: 2 values, expected 3 as on line 1", e.Message);
    }

    [Fact]
    public void An_unclosed_quote_is_reported_with_its_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("x,y\n1,\"open\n"));
        Assert.Equal("t.csv: line 2: a quote in field 2 is not closed", e.Message);
    }

    [Fact]
    public void An_unknown_target_column_lists_the_columns()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("x,y\n1,2\n").ColumnIndex("z"));
        Assert.Equal("t.csv: no column 'z'; the columns are x, y", e.Message);
        Assert.Equal(1, Parse("x,Y\n1,2\n").ColumnIndex("y"));
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("\n\n"));
        Assert.Equal("t.csv: no data", e.Message);
    }

    [Fact]
    public void A_quoted_field_may_hold_line_breaks_as_rfc_4180_allows()
    {
        var t = Parse("x,note\r\n1,\"two\r\nlines, \"\"quoted\"\"\"\r\n2,plain\r\n");
        Assert.Equal(["x", "note"], t.Columns);
        Assert.Equal("two\nlines, \"quoted\"", t.Rows[0][1]);
        Assert.Equal([2, 4], t.Lines);
    }

    [Fact]
    public void A_row_past_the_length_limit_is_refused_naming_its_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("x,y\n1,2\n" + new string('9', CsvTable.MaxRowLength + 1) + ",3\n"));
        Assert.Equal("t.csv: line 3: a row longer than 1,048,576 characters; not a table this reads", e.Message);
    }
}
