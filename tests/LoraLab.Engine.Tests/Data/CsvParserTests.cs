using LoraLab.Engine.Data;

namespace LoraLab.Engine.Tests.Data;

public class CsvParserTests
{
    static List<(int Line, string[] Fields, string? Error)> Parse(string text) =>
        CsvParser.Rows(text).Select(r => (r.Line, r.Fields.ToArray(), r.Error)).ToList();

    [Fact]
    public void Quoted_fields_hold_commas_line_breaks_and_doubled_quotes()
    {
        var rows = Parse("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",z\r\n");

        Assert.Equal(3, rows.Count);
        Assert.Equal(["a", "b"], rows[0].Fields);
        Assert.Equal(["x, y", "say \"hi\""], rows[1].Fields);
        Assert.Equal(["two\r\nlines", "z"], rows[2].Fields);
        Assert.All(rows, r => Assert.Null(r.Error));
    }

    [Fact]
    public void A_row_is_numbered_by_the_line_it_starts_on_even_after_a_field_spanning_lines()
    {
        var rows = Parse("h\n\"one\ntwo\nthree\"\nnext\n");

        Assert.Equal([1, 2, 5], rows.Select(r => r.Line));
        Assert.Equal(["one\ntwo\nthree"], rows[1].Fields);
    }

    [Fact]
    public void Empty_lines_are_not_rows_but_empty_fields_are_kept()
    {
        var rows = Parse("a,b\n\n,\nlast,\"\"");

        Assert.Equal([1, 3, 4], rows.Select(r => r.Line));
        Assert.Equal(["", ""], rows[1].Fields);
        Assert.Equal(["last", ""], rows[2].Fields);
    }

    [Fact]
    public void Malformed_rows_are_reported_and_reading_goes_on_at_the_next_line()
    {
        var rows = Parse("a,b\nx\"y,1\n\"q\"z,2\nok,3\n\"open,4\nnever closed");

        Assert.Equal([1, 2, 3, 4, 5], rows.Select(r => r.Line));
        Assert.Equal("a quote inside an unquoted field (quote the whole field and double the inner quote)", rows[1].Error);
        Assert.Equal("text follows the closing quote of a field", rows[2].Error);
        Assert.Equal(["ok", "3"], rows[3].Fields);
        Assert.Null(rows[3].Error);
        Assert.Equal("a quoted field is not closed before the end of the file", rows[4].Error);
    }
}
