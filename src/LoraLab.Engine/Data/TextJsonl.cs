using System.Text.Json;

namespace LoraLab.Engine.Data;

/// <summary>Reads a JSONL file whose every non-blank line is an object with a string field <c>text</c>.</summary>
public static class TextJsonl
{
    public static IReadOnlyList<string> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        var texts = new List<string>();
        var problems = new List<string>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    texts.Add(text.GetString()!);
                else problems.Add($"line {lineNumber}: expected an object with a string field \"text\"");
            }
            catch (JsonException e)
            {
                problems.Add($"line {lineNumber}: invalid JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')})");
            }
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"{path}: {problems.Count} bad line(s): {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? "; …" : "")}.");
        if (texts.Count == 0) throw new InvalidDataException($"{path} holds no records.");
        return texts;
    }
}
