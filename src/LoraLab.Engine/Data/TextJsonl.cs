using System.Text.Json;

namespace LoraLab.Engine.Data;

/// <summary>Reads a JSONL file whose every non-blank line is an object with a string field <c>text</c>; any bad line refuses the file.</summary>
public static class TextJsonl
{
    public static IReadOnlyList<string> Read(string path)
    {
        var file = DatasetFileReader.Read(path, DatasetFileType.Jsonl);
        var problems = file.Issues.Select(i => (i.Line, i.Reason)).ToList();
        var texts = new List<string>();
        foreach (var record in file.Records)
        {
            if (record.Value.ValueKind == JsonValueKind.Object && record.Value.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                texts.Add(text.GetString()!);
            else problems.Add((record.Line, "expected an object with a string field \"text\""));
        }
        if (problems.Count > 0)
        {
            var shown = problems.OrderBy(p => p.Line).Take(5).Select(p => $"line {p.Line}: {p.Reason}");
            throw new InvalidDataException($"{path}: {problems.Count} bad line(s): {string.Join("; ", shown)}{(problems.Count > 5 ? "; …" : "")}.");
        }
        if (texts.Count == 0) throw new InvalidDataException($"{path} holds no records.");
        return texts;
    }
}
