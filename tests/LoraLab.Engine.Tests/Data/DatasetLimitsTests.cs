using LoraLab.Engine.Data;
using LoraLab.Engine.Tests.Tokenization;

namespace LoraLab.Engine.Tests.Data;

/// <summary>What the dataset reader refuses to hold in memory, and how it says so.</summary>
public sealed class DatasetLimitsTests : IDisposable
{
    readonly TempModelDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_jsonl_line_over_the_limit_is_reported_with_its_length_and_the_other_lines_are_read()
    {
        string longLine = $$"""{"text": "{{new string('a', DatasetFileReader.MaxLineChars)}}"}""";
        string path = _folder.Write("long.jsonl", $"{{\"text\": \"short\"}}\n{longLine}\r\n{{\"text\": \"after\"}}\n");

        var parsed = DatasetReader.Read(path);

        Assert.Equal(["short", "after"], parsed.Records.Select(r => r.Text));
        Assert.Equal([1, 3], parsed.Records.Select(r => r.Line));
        var issue = Assert.Single(parsed.Issues);
        Assert.Equal((2, IssueKind.LineTooLong), (issue.Line, issue.Kind));
        Assert.Equal($"the line has {longLine.Length:N0} characters, more than the {DatasetFileReader.MaxLineChars:N0} a record may have", issue.Reason);
    }

    [Fact]
    public void A_jsonl_line_nested_deeper_than_the_limit_is_an_invalid_json_issue()
    {
        string path = _folder.Write("deep.jsonl", "{\"text\": \"ok\"}\n" + new string('[', 100) + new string(']', 100) + "\n");

        var parsed = DatasetReader.Read(path);

        var issue = Assert.Single(parsed.Issues);
        Assert.Equal((2, IssueKind.InvalidJson), (issue.Line, issue.Kind));
        Assert.Contains("depth", issue.Reason);
    }

    [Theory]
    [InlineData("big.json")]
    [InlineData("big.csv")]
    public void A_json_array_or_csv_file_over_the_whole_file_limit_is_refused_unread(string fileName)
    {
        string path = Path.Combine(_folder.Path, fileName);
        // A sparse file: its length is over the limit, its blocks are not written.
        using (var file = File.Create(path)) file.SetLength(DatasetFileReader.MaxWholeFileBytes + 1);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path, new DatasetReadOptions(FileType: fileName.EndsWith(".csv") ? DatasetFileType.Csv : DatasetFileType.JsonArray)));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.StartsWith($"{path}: a ", error.Message);
        Assert.Contains($"may have at most {DatasetFileReader.MaxWholeFileBytes:N0} bytes, this one has {DatasetFileReader.MaxWholeFileBytes + 1:N0}", error.Message);
        Assert.EndsWith("write larger datasets as JSONL, one record per line", error.Message);
    }

    [Fact]
    public void A_file_of_more_records_than_the_limit_is_refused_before_they_are_taken()
    {
        string path = _folder.Write("many.json", "[" + string.Concat(Enumerable.Repeat("0,", DatasetFileReader.MaxRecords)) + "0]");

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Equal($"{path}: holds more than {DatasetFileReader.MaxRecords:N0} records, the most a dataset may have; split it into several datasets", error.Message);
    }

    [Theory]
    [InlineData("a\nb\r\nc\rd", new[] { "a", "b", "c", "d" })]
    [InlineData("a\n\nb\n", new[] { "a", "", "b" })]
    [InlineData("\r\n", new[] { "" })]
    [InlineData("", new string[0])]
    public void Lines_end_at_each_kind_of_line_break_as_text_readers_end_them(string text, string[] expected)
    {
        var lines = new List<string>();
        var reader = new BoundedLineReader(new StringReader(text), maxChars: 10);

        while (reader.Next(out string? line, out _)) lines.Add(line!);

        Assert.Equal(expected, lines);
        Assert.Equal(ReadLines(text), lines);
    }

    static List<string> ReadLines(string text)
    {
        var lines = new List<string>();
        using var reader = new StringReader(text);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine()) lines.Add(line);
        return lines;
    }
}
