using System.Text.Json;

namespace LoraLab.Engine.Demo;

/// <summary>Reads a demo task file: one alpaca record (instruction, input, output) per line.</summary>
public static class DemoTaskFile
{
    public static List<InstructionExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Task file '{path}' does not exist.", path);
        var examples = new List<InstructionExample>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                examples.Add(JsonSerializer.Deserialize<InstructionExample>(text, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
                    ?? throw new JsonException("null record"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path} line {line}: not an alpaca record ({e.Message.Split(" Path:")[0]}).");
            }
        }
        return examples;
    }
}
