using System.Text.Json;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Data;

/// <summary>Checks one record against its format and turns it into a <see cref="DatasetRecord"/>, or says what is wrong with it.</summary>
public static class RecordParser
{
    static readonly Dictionary<string, string> ShareGptRoles = new() { ["system"] = "system", ["human"] = "user", ["gpt"] = "assistant" };
    static readonly Dictionary<string, string> ChatRoles = new() { ["system"] = "system", ["user"] = "user", ["assistant"] = "assistant" };

    /// <returns>The record, or null with <paramref name="issue"/> set.</returns>
    public static DatasetRecord? Parse(RawRecord raw, DatasetFormat format, FieldMapping fields, out DatasetIssue? issue)
    {
        issue = null;
        try
        {
            if (raw.Value.ValueKind != JsonValueKind.Object)
                throw new BadRecord(IssueKind.WrongType, $"the record is {KindName(raw.Value)}, expected an object");
            var reader = new FieldReader(raw.Value, fields);
            return format switch
            {
                DatasetFormat.Alpaca => Alpaca(raw.Line, reader),
                DatasetFormat.PromptCompletion => DatasetRecord.Conversation(raw.Line,
                    [new ChatMessage("user", reader.String("prompt")), new ChatMessage("assistant", reader.Completion("completion"))]),
                DatasetFormat.Text => DatasetRecord.RawText(raw.Line, reader.Completion("text")),
                DatasetFormat.Chat => Conversation(raw.Line, reader, "messages", "role", "content", ChatRoles),
                _ => Conversation(raw.Line, reader, "conversations", "from", "value", ShareGptRoles),
            };
        }
        catch (BadRecord bad)
        {
            issue = new DatasetIssue(raw.Line, bad.Kind, bad.Message);
            return null;
        }
    }

    /// <summary>"a number", "an array", … for messages about a JSON value.</summary>
    public static string KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>Alpaca's convention: the input, when there is one, follows the instruction after a blank line.</summary>
    static DatasetRecord Alpaca(int line, FieldReader reader)
    {
        string instruction = reader.String("instruction");
        string? input = reader.OptionalString("input");
        string output = reader.Completion("output");
        string prompt = string.IsNullOrEmpty(input) ? instruction : instruction + "\n\n" + input;
        return DatasetRecord.Conversation(line, [new ChatMessage("user", prompt), new ChatMessage("assistant", output)]);
    }

    static DatasetRecord Conversation(int line, FieldReader reader, string listField, string roleField, string contentField, Dictionary<string, string> roles)
    {
        var list = reader.Array(listField);
        var messages = new List<ChatMessage>();
        foreach (var (element, index) in list.EnumerateArray().Select((e, i) => (e, i + 1)))
        {
            string where = $"{reader.Fields.SourceName(listField)}[{index}]";
            if (element.ValueKind != JsonValueKind.Object)
                throw new BadRecord(IssueKind.WrongType, $"{where} is {KindName(element)}, expected an object");
            var message = new FieldReader(element, reader.Fields, where + ".");
            string given = message.String(roleField);
            if (!roles.TryGetValue(given, out string? role))
                throw new BadRecord(IssueKind.UnknownRole, $"{message.Describe(roleField)} is '{given}'; expected one of {string.Join(", ", roles.Keys)}");
            string content = role == "assistant" ? message.Completion(contentField) : message.String(contentField);
            messages.Add(new ChatMessage(role, content));
        }
        if (!messages.Any(m => m.Role == "assistant"))
            throw new BadRecord(IssueKind.NoAssistantTurn, $"{reader.Describe(listField)} has no assistant turn, so there is nothing to learn");
        return DatasetRecord.Conversation(line, messages);
    }

    /// <summary>Reads the fields of one JSON object, naming them as the file does in every complaint.</summary>
    sealed class FieldReader(JsonElement value, FieldMapping fields, string prefix = "")
    {
        public FieldMapping Fields => fields;

        public string Describe(string field) => prefix.Length == 0 ? fields.Describe(field) : $"'{prefix}{fields.SourceName(field)}'";

        public string String(string field) => OptionalString(field) ?? throw new BadRecord(IssueKind.MissingField, $"missing field {Describe(field)}");

        public string? OptionalString(string field)
        {
            if (!fields.TryGet(value, field, out var member)) return null;
            return member.ValueKind == JsonValueKind.String
                ? member.GetString()!
                : throw new BadRecord(IssueKind.WrongType, $"field {Describe(field)} is {KindName(member)}, expected a string");
        }

        /// <summary>A string the model learns to produce, so it must hold more than white space.</summary>
        public string Completion(string field)
        {
            string text = String(field);
            return string.IsNullOrWhiteSpace(text) ? throw new BadRecord(IssueKind.EmptyCompletion, $"field {Describe(field)} is empty") : text;
        }

        public JsonElement Array(string field)
        {
            if (!fields.TryGet(value, field, out var member)) throw new BadRecord(IssueKind.MissingField, $"missing field {Describe(field)}");
            return member.ValueKind == JsonValueKind.Array
                ? member
                : throw new BadRecord(IssueKind.WrongType, $"field {Describe(field)} is {KindName(member)}, expected an array");
        }
    }

    sealed class BadRecord(IssueKind kind, string message) : Exception(message)
    {
        public IssueKind Kind { get; } = kind;
    }
}
