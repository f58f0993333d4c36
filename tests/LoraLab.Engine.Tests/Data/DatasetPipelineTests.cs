using LoraLab.Engine.Data;
using LoraLab.Engine.Tests.Tokenization;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Data;

public class DatasetPipelineTests : IDisposable
{
    readonly TempModelDirectory folder = new();

    public void Dispose() => folder.Dispose();

    string WriteChats()
    {
        var lines = Enumerable.Range(0, 8).Select(i => $$"""{"messages": [{"role": "user", "content": "Hi {{i}}"}, {"role": "assistant", "content": "Hello {{i}}!"}]}""").ToList();
        lines.Insert(2, """{"messages": [{"role": "user", "content": "Hi"}]}""");
        lines.Insert(5, "{broken");
        return folder.Write("chats.jsonl", string.Join("\n", lines));
    }

    static PreparedDataset Prepare(string path, DatasetPipelineOptions options) =>
        DatasetPipeline.Prepare(path, TestTokenizers.ChatMl, ChatTemplate.FromName("chatml"), options);

    [Fact]
    public void The_report_counts_every_record_and_names_each_bad_one_by_file_and_line()
    {
        var prepared = Prepare(WriteChats(), new DatasetPipelineOptions(new EncodingOptions(256)));

        var report = prepared.Report;
        Assert.Equal((10, 8, 0), (report.RecordsRead, report.Kept, report.Truncated));
        Assert.Equal(DatasetFormat.Chat, report.Format);
        Assert.Equal("chats.jsonl line 3: 'messages' has no assistant turn, so there is nothing to learn", report.Describe(report.Issues[0]));
        Assert.Equal((6, IssueKind.InvalidJson), (report.Issues[1].Line, report.Issues[1].Kind));
        Assert.Equal(8, prepared.Train.Count);
        Assert.Empty(prepared.Validation);
        Assert.Equal(8, prepared.Statistics.Records);
        Assert.Equal(prepared.Train.Sum(e => e.Length), prepared.Statistics.Tokens);
        Assert.Equal(prepared.Train.Sum(e => e.Labels.Count(l => l != TrainingExample.IgnoreLabel)), prepared.Statistics.CompletionTokens);
    }

    [Fact]
    public void Over_long_records_are_reported_with_the_other_issues_when_truncation_is_off()
    {
        string path = folder.Write("mixed.jsonl", """
            {"prompt": "Hi", "completion": "Hello!"}
            {"prompt": "the cat sat on the mat and the dog sat on the log", "completion": "ok"}
            {"prompt": "Hi"}
            """);

        var prepared = Prepare(path, new DatasetPipelineOptions(new EncodingOptions(30, Truncate: false)));

        Assert.Equal([(2, IssueKind.TooLong), (3, IssueKind.MissingField)], prepared.Report.Issues.Select(i => (i.Line, i.Kind)));
        Assert.Equal(1, prepared.Report.Kept);
    }

    [Fact]
    public void Held_out_records_are_split_before_tokenization_and_packing_keeps_every_token()
    {
        var options = new DatasetPipelineOptions(new EncodingOptions(64), Pack: true, Validation: ValidationSplit.Count(2), Seed: 42);

        var prepared = Prepare(WriteChats(), options);

        Assert.All(prepared.Train.Concat(prepared.Validation), e => Assert.True(e.IsPacked && e.Length <= 64));
        Assert.Equal(prepared.Statistics.Tokens, prepared.Train.Concat(prepared.Validation).Sum(e => e.Length));
        Assert.Equal(2, prepared.Validation.Sum(e => e.SegmentIds!.Distinct().Count()));
        Assert.Equal(6, prepared.Train.Sum(e => e.SegmentIds!.Distinct().Count()));
    }

    [Fact]
    public void A_file_whose_every_record_is_too_long_is_refused()
    {
        string path = folder.Write("long.jsonl", """{"prompt": "the cat sat on the mat and the dog sat on the log", "completion": "ok"}""");

        var error = Assert.Throws<InvalidDataException>(() => Prepare(path, new DatasetPipelineOptions(new EncodingOptions(4, Truncate: false))));

        Assert.Contains("none of its 1 records is usable as prompt-completion data: line 1: ", error.Message);
        Assert.Contains("more than the maximum length 4 (truncation is off)", error.Message);
    }
}
