using LoraLab.Engine.Data;
using LoraLab.Engine.Tests.Tokenization;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Data;

public class DatasetReaderTests : IDisposable
{
    readonly TempModelDirectory folder = new();

    public void Dispose() => folder.Dispose();

    static ChatMessage User(string content) => new("user", content);
    static ChatMessage Assistant(string content) => new("assistant", content);
    static ChatMessage SystemMessage(string content) => new("system", content);

    static (int, IssueKind, string)[] Issues(ParsedDataset parsed) => parsed.Issues.Select(i => (i.Line, i.Kind, i.Reason)).ToArray();

    [Fact]
    public void Alpaca_jsonl_puts_the_input_after_the_instruction_with_a_blank_line()
    {
        string path = folder.Write("alpaca.jsonl", """
            {"instruction": "Add two and three.", "output": "Five."}
            {"instruction": "Translate.", "input": "chat", "output": "cat"}
            {"instruction": "Say hi.", "input": "", "output": "hi"}
            """);

        var parsed = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.Alpaca, parsed.Format);
        Assert.Equal(DatasetFileType.Jsonl, parsed.FileType);
        Assert.Equal([User("Add two and three."), Assistant("Five.")], parsed.Records[0].Messages!);
        Assert.Equal([User("Translate.\n\nchat"), Assistant("cat")], parsed.Records[1].Messages!);
        Assert.Equal([User("Say hi."), Assistant("hi")], parsed.Records[2].Messages!);
        Assert.Equal([1, 2, 3], parsed.Records.Select(r => r.Line));
    }

    [Fact]
    public void Chat_messages_are_read_with_their_roles()
    {
        string path = folder.Write("chat.jsonl", """
            {"messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
            """);

        var parsed = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.Chat, parsed.Format);
        Assert.Equal([SystemMessage("Be terse."), User("Hi"), Assistant("Hello!")], parsed.Records.Single().Messages!);
    }

    [Fact]
    public void Sharegpt_conversations_map_human_and_gpt_to_user_and_assistant()
    {
        string path = folder.Write("sharegpt.json", """
            [{"conversations": [{"from": "system", "value": "Be terse."}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]}]
            """);

        var parsed = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.ShareGpt, parsed.Format);
        Assert.Equal(DatasetFileType.JsonArray, parsed.FileType);
        Assert.Equal([SystemMessage("Be terse."), User("Hi"), Assistant("Hello!")], parsed.Records.Single().Messages!);
    }

    [Fact]
    public void Prompt_completion_pairs_in_a_json_array_become_a_user_and_an_assistant_turn()
    {
        string path = folder.Write("pairs.json", """
            [
              {"prompt": "2+2=", "completion": "4"},
              {"prompt": "3+3=", "completion": "6"}
            ]
            """);

        var parsed = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.PromptCompletion, parsed.Format);
        Assert.Equal([User("3+3="), Assistant("6")], parsed.Records[1].Messages!);
        Assert.Equal([1, 2], parsed.Records.Select(r => r.Line));
    }

    [Fact]
    public void Raw_text_in_csv_is_kept_as_it_is()
    {
        string path = folder.Write("text.csv", "id,text\r\n1,\"first, with a comma\"\r\n2,\"second\nover two lines\"\r\n");

        var parsed = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.Text, parsed.Format);
        Assert.Equal(DatasetFileType.Csv, parsed.FileType);
        Assert.Equal(["first, with a comma", "second\nover two lines"], parsed.Records.Select(r => r.Text));
        Assert.Equal([2, 3], parsed.Records.Select(r => r.Line));
    }

    [Fact]
    public void A_column_mapping_names_the_csv_columns_that_hold_the_alpaca_fields()
    {
        string path = folder.Write("qa.csv", "question,context,answer\nWhat is it?,a cat,A cat.\n");
        var mapping = new Dictionary<string, string> { ["instruction"] = "question", ["input"] = "context", ["output"] = "answer" };

        var parsed = DatasetReader.Read(path, new DatasetReadOptions(ColumnMapping: mapping));

        Assert.Equal(DatasetFormat.Alpaca, parsed.Format);
        Assert.Equal([User("What is it?\n\na cat"), Assistant("A cat.")], parsed.Records.Single().Messages!);
    }

    [Fact]
    public void A_mapping_to_a_column_the_header_lacks_is_refused_with_the_header()
    {
        string path = folder.Write("qa.csv", "question,answer\nq,a\n");
        var mapping = new Dictionary<string, string> { ["instruction"] = "prompt_text" };

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path, new DatasetReadOptions(ColumnMapping: mapping)));

        Assert.Contains("'prompt_text' (for instruction) is not a column; the header has 'question', 'answer'", error.Message);
    }

    [Theory]
    [InlineData("""{"messages": []}""", DatasetFormat.Chat)]
    [InlineData("""{"conversations": []}""", DatasetFormat.ShareGpt)]
    [InlineData("""{"instruction": "i", "output": "o"}""", DatasetFormat.Alpaca)]
    [InlineData("""{"prompt": "p", "completion": "c", "text": "t"}""", DatasetFormat.PromptCompletion)]
    [InlineData("""{"text": "t", "source": "web"}""", DatasetFormat.Text)]
    public void The_format_is_detected_from_the_fields(string record, DatasetFormat expected)
    {
        var file = new RawRecords("f.jsonl", DatasetFileType.Jsonl, [new RawRecord(1, System.Text.Json.JsonDocument.Parse(record).RootElement)], []);

        Assert.Equal(expected, FormatDetector.Detect(file, FieldMapping.Identity));
    }

    [Fact]
    public void Detection_follows_the_majority_of_the_first_records_so_one_odd_record_does_not_decide()
    {
        string path = folder.Write("mostly-pairs.jsonl", """
            {"text": "stray"}
            {"prompt": "a", "completion": "b"}
            {"prompt": "c", "completion": "d"}
            """);

        var parsed = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.PromptCompletion, parsed.Format);
        Assert.Equal([(1, IssueKind.MissingField, "missing field 'prompt'")], Issues(parsed));
    }

    [Fact]
    public void An_explicit_format_overrides_detection()
    {
        string path = folder.Write("both.jsonl", """{"prompt": "p", "completion": "c", "text": "the text"}""");

        var parsed = DatasetReader.Read(path, new DatasetReadOptions(Format: DatasetFormat.Text));

        Assert.Equal("the text", parsed.Records.Single().Text);
    }

    [Fact]
    public void A_file_of_unknown_fields_is_refused_naming_the_fields_seen()
    {
        string path = folder.Write("odd.jsonl", """{"question": "q", "answer": "a"}""");

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Contains("cannot tell the dataset format: the first records have the fields 'question', 'answer'", error.Message);
    }

    [Fact]
    public void Every_bad_alpaca_line_is_reported_with_its_line_number_and_the_good_ones_are_kept()
    {
        string path = folder.Write("mixed.jsonl", """
            {"instruction": "good", "output": "yes"}
            {not json
            
            {"instruction": "no output"}
            {"instruction": 5, "output": "y"}
            {"instruction": "blank output", "output": "  "}
            [1, 2]
            {"instruction": "good too", "input": "x", "output": "ok"}
            {"instruction": "i", "input": ["x"], "output": "o"}
            {"output": "o"}
            """);

        var parsed = DatasetReader.Read(path, new DatasetReadOptions(Format: DatasetFormat.Alpaca));

        Assert.Equal(9, parsed.RecordsRead);
        Assert.Equal([1, 8], parsed.Records.Select(r => r.Line));
        var issues = Issues(parsed);
        Assert.Equal((2, IssueKind.InvalidJson), (issues[0].Item1, issues[0].Item2));
        Assert.StartsWith("invalid JSON (", issues[0].Item3);
        Assert.Equal(
        [
            (4, IssueKind.MissingField, "missing field 'output'"),
            (5, IssueKind.WrongType, "field 'instruction' is a number, expected a string"),
            (6, IssueKind.EmptyCompletion, "field 'output' is empty"),
            (7, IssueKind.WrongType, "the record is an array, expected an object"),
            (9, IssueKind.WrongType, "field 'input' is an array, expected a string"),
            (10, IssueKind.MissingField, "missing field 'instruction'"),
        ], issues.Skip(1));
    }

    [Fact]
    public void Every_bad_chat_line_is_reported_with_its_line_number_and_reason()
    {
        string path = folder.Write("chat.jsonl", """
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
            {"messages": [{"role": "bot", "content": "x"}]}
            {"messages": [{"role": "user", "content": "hi"}]}
            {"messages": "hi"}
            {"messages": [{"role": "user"}, {"role": "assistant", "content": "a"}]}
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": ""}]}
            {"messages": [{"role": "user", "content": "q"}, "oops"]}
            {"messages": [{"role": "user", "content": 3}, {"role": "assistant", "content": "a"}]}
            {"messages": []}
            {"text": "no messages"}
            """);

        var parsed = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.Chat, parsed.Format);
        Assert.Equal([1], parsed.Records.Select(r => r.Line));
        Assert.Equal(
        [
            (2, IssueKind.UnknownRole, "'messages[1].role' is 'bot'; expected one of system, user, assistant"),
            (3, IssueKind.NoAssistantTurn, "'messages' has no assistant turn, so there is nothing to learn"),
            (4, IssueKind.WrongType, "field 'messages' is a string, expected an array"),
            (5, IssueKind.MissingField, "missing field 'messages[1].content'"),
            (6, IssueKind.EmptyCompletion, "field 'messages[2].content' is empty"),
            (7, IssueKind.WrongType, "messages[2] is a string, expected an object"),
            (8, IssueKind.WrongType, "field 'messages[1].content' is a number, expected a string"),
            (9, IssueKind.NoAssistantTurn, "'messages' has no assistant turn, so there is nothing to learn"),
            (10, IssueKind.MissingField, "missing field 'messages'"),
        ], Issues(parsed));
    }

    [Fact]
    public void Sharegpt_roles_outside_human_gpt_system_are_unknown()
    {
        string path = folder.Write("sharegpt.jsonl", """
            {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]}
            {"conversations": [{"from": "human", "value": "q"}, {"from": "tool", "value": "a"}]}
            """);

        var parsed = DatasetReader.Read(path);

        Assert.Equal([(2, IssueKind.UnknownRole, "'conversations[2].from' is 'tool'; expected one of system, human, gpt")], Issues(parsed));
    }

    [Fact]
    public void Bad_json_array_elements_are_numbered_by_their_index()
    {
        string path = folder.Write("pairs.json", """[{"prompt": "p", "completion": "c"}, {"prompt": "p"}, 3, {"prompt": "p", "completion": ""}]""");

        var parsed = DatasetReader.Read(path);

        Assert.Equal(
        [
            (2, IssueKind.MissingField, "missing field 'completion'"),
            (3, IssueKind.WrongType, "the record is a number, expected an object"),
            (4, IssueKind.EmptyCompletion, "field 'completion' is empty"),
        ], Issues(parsed));
    }

    [Fact]
    public void Bad_csv_rows_are_numbered_by_the_line_they_start_on()
    {
        string path = folder.Write("qa.csv", "question,answer\n\"multi\nline\",fine\nonly one field\nq,\"\"\nq,a,extra\nbad\"quote,a\nlast,ok\n");
        var mapping = new Dictionary<string, string> { ["prompt"] = "question", ["completion"] = "answer" };

        var parsed = DatasetReader.Read(path, new DatasetReadOptions(ColumnMapping: mapping));

        Assert.Equal([2, 8], parsed.Records.Select(r => r.Line));
        Assert.Equal(
        [
            (4, IssueKind.InvalidCsv, "malformed CSV: 1 field(s) where the header has 2"),
            (5, IssueKind.EmptyCompletion, "field 'answer' (mapped to completion) is empty"),
            (6, IssueKind.InvalidCsv, "malformed CSV: 3 field(s) where the header has 2"),
            (7, IssueKind.InvalidCsv, "malformed CSV: a quote inside an unquoted field (quote the whole field and double the inner quote)"),
        ], Issues(parsed));
    }

    [Fact]
    public void A_file_with_no_usable_record_is_refused_with_the_reasons()
    {
        string path = folder.Write("bad.jsonl", """
            {"prompt": "p"}
            {"prompt": "p", "completion": 1}
            """);

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Equal(
            $"{path}: none of its 2 records is usable as prompt-completion data: line 1: missing field 'completion'; line 2: field 'completion' is a number, expected a string",
            error.Message);
    }

    [Fact]
    public void A_json_array_with_a_syntax_error_is_refused_naming_the_line()
    {
        string path = folder.Write("broken.json", "[\n{\"text\": \"a\"},\n{\"text\": }\n]");

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.StartsWith($"{path}: not valid JSON at line 3", error.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        string path = folder.Write("empty.jsonl", "\n\n");

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.Equal($"{path} holds no records", error.Message);
    }

    [Fact]
    public void Format_and_file_type_names_parse_case_insensitively_and_unknown_ones_list_the_known()
    {
        Assert.Equal(DatasetFormat.ShareGpt, DatasetFormatNames.Parse(" ShareGPT"));
        Assert.Equal(DatasetFileType.JsonArray, DatasetFileTypeNames.Parse("json"));
        Assert.Equal("prompt-completion", DatasetFormatNames.NameOf(DatasetFormat.PromptCompletion));

        var error = Assert.Throws<ArgumentException>(() => DatasetFormatNames.Parse("dolly"));

        Assert.StartsWith("unknown dataset format 'dolly'; known: alpaca, chat, sharegpt, prompt-completion, text", error.Message);
    }
}
