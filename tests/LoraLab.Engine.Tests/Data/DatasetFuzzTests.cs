using System.Text;
using System.Text.Json.Nodes;
using LoraLab.Engine.Data;
using LoraLab.Engine.Tests.Files;
using LoraLab.Engine.Tests.Tokenization;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Data;

/// <summary>
/// Hundreds of corrupted dataset files, made deterministically from valid ones, through the whole pipeline (read,
/// validate, render, tokenize): each yields training examples with its bad records reported, or is refused with an
/// <see cref="InvalidDataException"/> naming the file; none throws anything else or allocates without bound.
/// </summary>
public sealed class DatasetFuzzTests : IDisposable
{
    /// <summary>Tokenizing a few records of a small file takes well under this.</summary>
    const long AllocationAllowance = 8 << 20;

    const string Alpaca = """
        {"instruction": "Add two and three.", "input": "", "output": "Five."}
        {"instruction": "Translate.", "input": "chat", "output": "cat"}
        {"instruction": "Say hi.", "output": "hi"}
        """;

    const string Chat = """
        {"messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}
        """;

    const string ShareGptArray = """
        [{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]},
         {"conversations": [{"from": "system", "value": "Be terse."}, {"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}]}]
        """;

    const string PromptCompletionCsv = "prompt,completion\nhi,hello\n\"two, plus two\",\"four\"\n\"multi\nline\",\"yes \"\"quoted\"\"\"\n";

    readonly TempModelDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("alpaca.jsonl", Alpaca, 31)]
    [InlineData("chat.jsonl", Chat, 32)]
    [InlineData("sharegpt.json", ShareGptArray, 33)]
    [InlineData("table.csv", PromptCompletionCsv, 34)]
    public void Every_corrupted_dataset_file_is_prepared_or_refused_naming_the_file(string fileName, string content, int seed)
    {
        string path = Path.Combine(_folder.Path, fileName);
        var mutants = Mutations.OfBytes(Encoding.UTF8.GetBytes(content), count: 200, seed).Concat(RecordMutants(content, seed)).ToList();

        var outcome = Fuzz.Run(mutants, path, () =>
        {
            var prepared = DatasetPipeline.Prepare(path, TestTokenizers.ChatMl, ChatTemplate.FromName("chatml"), new DatasetPipelineOptions(new EncodingOptions(64)));
            return prepared.Train.Where(e => e.Length is < 1 or > 64).Select(e => $"an example of {e.Length} tokens was kept");
        }, e => e is InvalidDataException, AllocationAllowance);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 10, outcome.ToString());
    }

    /// <summary>JSONL: one line replaced by a mutated record (wrong kinds, huge numbers, deep nesting); other layouts: the document mutated.</summary>
    static IEnumerable<Mutant> RecordMutants(string content, int seed)
    {
        if (content.TrimStart().StartsWith('{'))
        {
            var lines = content.Split('\n');
            var random = new Random(seed);
            return Enumerable.Range(0, 100).Select(i =>
            {
                int line = random.Next(lines.Length);
                var (name, json) = Mutations.OfJson(JsonNode.Parse(lines[line])!, count: 1, seed * 1000 + i).Single();
                var mutated = lines.ToArray();
                mutated[line] = Mutations.Text(json);
                return new Mutant($"line {line + 1}: {name}", Encoding.UTF8.GetBytes(string.Join('\n', mutated)));
            });
        }
        if (content.TrimStart().StartsWith('['))
            return Mutations.OfJson(JsonNode.Parse(content)!, count: 100, seed).Select(m => new Mutant(m.Name, Mutations.Utf8(m.Json)));
        return [];
    }
}
