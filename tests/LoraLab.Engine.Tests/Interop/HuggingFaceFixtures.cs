using System.Text.Json.Nodes;

namespace LoraLab.Engine.Tests.Interop;

/// <summary>
/// <c>../shared/fixtures/hf</c>: tiny checkpoints and PEFT adapters in Hugging Face's layout, written by an independent
/// implementation of transformers' and PEFT's conventions, and the numbers it computed (<c>expected.json</c>; its README
/// gives the tolerances: loss within 1e-4 relative for float32 weights, 1e-3 for bf16, greedy ids identical).
/// </summary>
public static class HuggingFaceFixtures
{
    public static string Folder { get; } = Path.GetFullPath(Path.Combine(RepositoryFolder.Root, "..", "shared", "fixtures", "hf"));

    public static readonly string[] ModelNames = ["llama", "qwen2"];
    public static readonly string[] Adapters = ["lora_qv", "rslora_all", "dora_qkvo"];

    static readonly Lazy<JsonObject> ExpectedJson = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!.AsObject());

    public static JsonObject Expected => ExpectedJson.Value;

    public static string ModelFolder(string model) => Path.Combine(Folder, model);

    public static string AdapterFolder(string model, string adapter) => Path.Combine(Folder, $"{model}-{adapter}");

    public static JsonObject ExpectedFor(string model) => Expected["models"]![model]!.AsObject();

    /// <summary>The README's tolerance: bf16 weights round differently through any float32 implementation.</summary>
    public static double RelativeLossTolerance(string model) => model == "qwen2" ? 1e-3 : 1e-4;

    public static int[] Ids(JsonNode node) => node.AsArray().Select(n => n!.GetValue<int>()).ToArray();

    public static IReadOnlyList<string> EvalTexts() =>
        File.ReadLines(Path.Combine(Folder, "eval.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>()).ToArray();

    public static TheoryData<string, string> ModelAdapterPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in ModelNames) foreach (var adapter in Adapters) data.Add(model, adapter);
        return data;
    }
}
