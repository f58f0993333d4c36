using LoraLab.Engine.Devices;
using LoraLab.Engine.Export.Gguf;
using LoraLab.Engine.Generation;
using static LoraLab.Engine.Tests.Interop.HuggingFaceFixtures;

namespace LoraLab.Engine.Tests.Export;

/// <summary>
/// Files written by the GGUF exporter, read by llama.cpp: its tokenizer gives the engine's ids and its greedy
/// continuation gives the engine's, for the Hugging Face fixtures (each adapter merged) and the demo model.
/// </summary>
public sealed class GgufLlamaCppTests : IDisposable
{
    const int NewTokens = 12;
    readonly string folder = Directory.CreateTempSubdirectory("gguf-").FullName;

    static readonly string[] Texts = ["The quick brown fox", "Hello, world! 12345", "  two  spaces\nand a newline", "it's a dog's life", "end<|endoftext|>"];

    public static TheoryData<string, string?> FixturesWithAdapters()
    {
        var data = new TheoryData<string, string?>();
        foreach (string model in ModelNames)
        {
            data.Add(model, null);
            foreach (string adapter in Adapters) data.Add(model, adapter);
        }
        return data;
    }

    static int[] EngineGreedy(string model, string? adapter, IReadOnlyList<int> prompt)
    {
        using var lm = LanguageModel.Open(model, ComputeDevice.Cpu, adapter);
        var generated = new TokenGenerator(lm.Network).Generate([prompt], SamplingOptions.Greedy with { MaxNewTokens = NewTokens }, eosTokenIds: [])[0].TokenIds;
        return [.. prompt, .. generated];
    }

    string Export(string model, string? adapter, GgufFileType type)
    {
        string path = Path.Combine(folder, $"{Path.GetFileName(model)}-{Path.GetFileName(adapter ?? "base")}.{type.Name()}.gguf");
        GgufModelExporter.Export(model, adapter, type, path);
        return path;
    }

    [Theory]
    [MemberData(nameof(FixturesWithAdapters))]
    public void An_f32_export_of_every_fixture_greedy_decodes_in_llama_cpp_to_the_reference_ids(string model, string? adapter)
    {
        var expected = adapter is null ? Ids(ExpectedFor(model)["greedy"]!["ids"]!) : Ids(ExpectedFor(model)[adapter]!["greedy_ids"]!);
        string path = Export(ModelFolder(model), adapter is null ? null : AdapterFolder(model, adapter), GgufFileType.F32);

        using var llama = new LlamaCpp(path);
        var prompt = llama.Tokenize("The quick");

        Assert.Equal(expected[..prompt.Length], prompt);
        Assert.Equal(expected, llama.Greedy(prompt, NewTokens));
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void llama_cpp_tokenizes_every_text_of_an_exported_fixture_as_the_engine_does(string model)
    {
        string path = Export(ModelFolder(model), null, GgufFileType.F16);
        var tokenizer = Engine.Tokenization.TokenizerLoader.Load(ModelFolder(model));

        using var llama = new LlamaCpp(path);

        foreach (string text in Texts.Concat(Expected["token_ids"]!.AsObject().Select(kv => kv.Key)))
            Assert.Equal(tokenizer.Encode(text, addSpecialTokens: false), llama.Tokenize(text));
    }

    [Theory]
    [InlineData("llama", "lora_qv")]
    [InlineData("qwen2", "dora_qkvo")]
    public void An_f16_export_greedy_decodes_in_llama_cpp_as_the_engine_does_on_the_f16_rounded_weights(string model, string adapter)
    {
        string path = Export(ModelFolder(model), AdapterFolder(model, adapter), GgufFileType.F16);
        var expected = Ids(ExpectedFor(model)[adapter]!["greedy_ids"]!);

        using var llama = new LlamaCpp(path);

        Assert.Equal(expected, llama.Greedy(expected[..6], NewTokens));
    }

    [Fact]
    public void A_bf16_export_of_the_bf16_qwen2_fixture_keeps_its_weights_and_greedy_decodes_to_the_reference_ids()
    {
        string path = Export(ModelFolder("qwen2"), null, GgufFileType.BF16);
        var expected = Ids(ExpectedFor("qwen2")["greedy"]!["ids"]!);

        using var llama = new LlamaCpp(path);

        Assert.Equal("32", llama.Metadata("general.file_type"));
        Assert.Equal(expected, llama.Greedy(expected[..6], NewTokens));
    }

    [Fact]
    public void A_q4_0_export_of_the_demo_model_loads_in_llama_cpp_and_agrees_on_the_first_greedy_token()
    {
        string model = Path.Combine(RepositoryFolder.Root, "src", "LoraLab.Demo", "model");
        string path = Export(model, null, GgufFileType.Q4_0);
        var prompt = Engine.Tokenization.TokenizerLoader.Load(model).Encode("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", addSpecialTokens: false);

        using var llama = new LlamaCpp(path);

        Assert.Equal(EngineGreedy(model, null, prompt)[..(prompt.Count + 1)], llama.Greedy(prompt, 1));
    }

    [Fact]
    public void A_q8_0_export_of_qwen2_agrees_with_the_engine_on_the_first_greedy_tokens()
    {
        string path = Export(ModelFolder("qwen2"), null, GgufFileType.Q8_0);
        var expected = Ids(ExpectedFor("qwen2")["greedy"]!["ids"]!);

        using var llama = new LlamaCpp(path);

        Assert.Equal(expected[..9], llama.Greedy(expected[..6], 3));
    }

    [Theory]
    [InlineData("llama", "lora_qv")]
    [InlineData("llama", "rslora_all")]
    [InlineData("qwen2", "lora_qv")]
    public void A_lora_adapter_file_applied_by_llama_cpp_to_the_base_export_gives_the_adapters_reference_ids(string model, string adapter)
    {
        string basePath = Export(ModelFolder(model), null, GgufFileType.F32);
        string adapterPath = Path.Combine(folder, $"{model}-{adapter}.adapter.gguf");
        GgufAdapterExporter.Export(ModelFolder(model), AdapterFolder(model, adapter), adapterPath, Path.GetFileName(basePath));
        var expected = Ids(ExpectedFor(model)[adapter]!["greedy_ids"]!);

        using var llama = new LlamaCpp(basePath, adapterPath);

        Assert.Equal(expected, llama.Greedy(expected[..6], NewTokens));
        Assert.StartsWith($"FROM ./{Path.GetFileName(basePath)}\nADAPTER ./{Path.GetFileName(adapterPath)}\n", File.ReadAllText(OllamaModelfile.PathFor(adapterPath)));
    }

    [Fact]
    public void A_dora_adapter_is_refused_as_an_adapter_file_with_a_sentence_that_says_to_merge_it()
    {
        var error = Assert.Throws<NotSupportedException>(() =>
            GgufAdapterExporter.Export(ModelFolder("llama"), AdapterFolder("llama", "dora_qkvo"), Path.Combine(folder, "dora.gguf")));

        Assert.Contains("DoRA", error.Message);
        Assert.False(File.Exists(Path.Combine(folder, "dora.gguf")));
    }

    [Theory]
    [InlineData(GgufFileType.F16)]
    [InlineData(GgufFileType.Q4_K_M)]
    public void The_demo_model_with_an_adapter_merged_tokenizes_and_decodes_in_llama_cpp(GgufFileType type)
    {
        string demo = Path.Combine(RepositoryFolder.Root, "src", "LoraLab.Demo");
        string model = Path.Combine(demo, "model"), adapter = Path.Combine(demo, "adapters", "pirate-style");
        string path = Export(model, adapter, type);
        using var engine = LanguageModel.Open(model, ComputeDevice.Cpu, adapter);
        const string text = "<|im_start|>user\nTell me about the sea.<|im_end|>\n<|im_start|>assistant\n";
        var prompt = engine.Tokenizer.Encode(text, addSpecialTokens: false);

        using var llama = new LlamaCpp(path);

        Assert.Equal(prompt, llama.Tokenize(text));
        var expected = EngineGreedy(model, adapter, prompt);
        var actual = llama.Greedy(prompt, NewTokens);
        if (type == GgufFileType.F16) Assert.Equal(expected, actual);
        else Assert.Equal(expected[..(prompt.Count + 1)], actual[..(prompt.Count + 1)]);
        Assert.True(File.Exists(OllamaModelfile.PathFor(path)));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
