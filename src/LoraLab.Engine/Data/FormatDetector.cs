using System.Text.Json;

namespace LoraLab.Engine.Data;

/// <summary>Tells a dataset's format from the fields of its first records.</summary>
public static class FormatDetector
{
    /// <summary>How many records vote, so that one odd record at the top does not decide for the whole file.</summary>
    public const int RecordsLookedAt = 16;

    /// <summary>
    /// Each of the first <see cref="RecordsLookedAt"/> objects votes for the format its fields suggest (messages → chat,
    /// conversations → sharegpt, instruction or output → alpaca, prompt or completion → prompt-completion, text → text);
    /// the most votes win, a tie goes to the format seen first.
    /// </summary>
    /// <exception cref="InvalidDataException">No record has the fields of any format; the message lists the fields seen.</exception>
    public static DatasetFormat Detect(RawRecords file, FieldMapping fields)
    {
        var objects = file.Records.Where(r => r.Value.ValueKind == JsonValueKind.Object).Take(RecordsLookedAt).ToList();
        var votes = objects.Select(r => Suggest(r.Value, fields)).OfType<DatasetFormat>().ToList();
        if (votes.Count == 0)
        {
            var seen = objects.SelectMany(r => r.Value.EnumerateObject().Select(p => p.Name)).Distinct().Select(n => $"'{n}'");
            throw new InvalidDataException(
                $"{file.Path}: cannot tell the dataset format: the first records have the fields {(objects.Count == 0 ? "(no JSON object)" : string.Join(", ", seen))}; "
                + "expected messages (chat), conversations (sharegpt), instruction/input/output (alpaca), prompt/completion, or text. "
                + "Map the columns to these names or choose the format explicitly.");
        }
        return votes.GroupBy(v => v).OrderByDescending(g => g.Count()).First().Key;
    }

    static DatasetFormat? Suggest(JsonElement record, FieldMapping fields)
    {
        if (fields.Has(record, "messages")) return DatasetFormat.Chat;
        if (fields.Has(record, "conversations")) return DatasetFormat.ShareGpt;
        if (fields.Has(record, "instruction") || fields.Has(record, "output")) return DatasetFormat.Alpaca;
        if (fields.Has(record, "prompt") || fields.Has(record, "completion")) return DatasetFormat.PromptCompletion;
        if (fields.Has(record, "text")) return DatasetFormat.Text;
        return null;
    }
}
