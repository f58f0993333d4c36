using LoraLab.Engine.Devices;
using LoraLab.Engine.Export.Gguf;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Ia3;
using LoraLab.Engine.Tests.Models;
using LoraLab.Engine.Tests.Tokenization;

namespace LoraLab.Engine.Tests.Export;

/// <summary>
/// Every family the engine runs, exported and decoded by llama.cpp: tied embeddings, Llama 3.1 rope scaling
/// (rope_freqs.weight), linear and YaRN rope scaling (rope.scaling.* keys), Mistral, Qwen2 with one KV head, Qwen3's q/k norms with a head_dim of its own; and a
/// SentencePiece vocabulary.
/// </summary>
public sealed class GgufFamilyTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("gguf-family-").FullName;
    static readonly string FixtureTokenizer = Path.Combine(Interop.HuggingFaceFixtures.Folder, "llama");

    string ModelFolder(string name, ModelConfig config, Action<string> addTokenizer)
    {
        string directory = Path.Combine(folder, name);
        using (var lm = TinyModels.Create(config, seed: 7)) PretrainedModel.Save(lm, directory);
        addTokenizer(directory);
        return directory;
    }

    static void CopyFixtureTokenizer(string directory)
    {
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(FixtureTokenizer, file), Path.Combine(directory, file));
    }

    static int[] EngineGreedy(string model, IReadOnlyList<int> prompt, int count)
    {
        using var lm = LanguageModel.Open(model, ComputeDevice.Cpu);
        var generated = new TokenGenerator(lm.Network).Generate([prompt], SamplingOptions.Greedy with { MaxNewTokens = count }, eosTokenIds: [])[0].TokenIds;
        return [.. prompt, .. generated];
    }

    public static TheoryData<string> Families() => new()
    {
        "llama-gqa-tied", "llama3-rope-scaling", "mistral", "qwen2-qkv-bias", "qwen3-qk-norm-head-dim", "llama-linear-rope", "qwen2-yarn",
    };

    /// <summary>The tiny model of a family; the two scaled ones carry the rope_scaling entries of real configs (linear, Qwen2.5's YaRN).</summary>
    static ModelConfig FamilyConfig(string family) => family switch
    {
        "mistral" => TinyModels.Config("MistralForCausalLM"),
        "llama-linear-rope" => TinyModels.Config("LlamaForCausalLM", j => j["rope_scaling"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "linear", ["factor"] = 4.0 }),
        "qwen2-yarn" => TinyModels.Config("Qwen2ForCausalLM", j => j["rope_scaling"] = new System.Text.Json.Nodes.JsonObject
            { ["type"] = "yarn", ["factor"] = 4.0, ["original_max_position_embeddings"] = 16 }),
        _ => TinyModels.Named(family),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void An_f32_export_of_every_family_greedy_decodes_in_llama_cpp_as_the_engine_does(string family)
    {
        var config = FamilyConfig(family) with { VocabSize = 377 };
        string model = ModelFolder(family, config, CopyFixtureTokenizer);
        string path = Path.Combine(folder, family + ".gguf");
        GgufModelExporter.Export(model, null, GgufFileType.F32, path);
        var prompt = Engine.Tokenization.TokenizerLoader.Load(model).Encode("The quick brown fox", addSpecialTokens: false);

        using var llama = new LlamaCpp(path);

        Assert.Equal(prompt, llama.Tokenize("The quick brown fox"));
        Assert.Equal(EngineGreedy(model, prompt, 10), llama.Greedy(prompt, 10));
    }

    [Fact]
    public void Dynamic_ntk_rope_scaling_which_llama_cpp_lacks_is_refused_by_name_and_writes_no_file()
    {
        var config = TinyModels.Config("LlamaForCausalLM", j => j["rope_scaling"] = new System.Text.Json.Nodes.JsonObject
            { ["type"] = "dynamic", ["factor"] = 2.0, ["original_max_position_embeddings"] = 16 }) with { VocabSize = 377 };
        string model = ModelFolder("dynamic", config, CopyFixtureTokenizer);
        string path = Path.Combine(folder, "dynamic.gguf");

        var refused = Assert.Throws<NotSupportedException>(() => GgufModelExporter.Export(model, null, GgufFileType.F32, path));

        Assert.Contains("'dynamic'", refused.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void An_ia3_adapter_merged_into_the_export_decodes_in_llama_cpp_as_the_engine_does_with_it_unmerged()
    {
        var config = TinyModels.Named("llama-gqa-tied") with { VocabSize = 377 };
        string model = ModelFolder("ia3-base", config, CopyFixtureTokenizer);
        string adapter = Path.Combine(folder, "ia3");
        using (var lm = PretrainedModel.Load(model, ComputeDevice.Cpu))
        {
            var ia3 = Ia3Config.For(config.Family);
            var layers = Ia3Injection.Inject(lm, ia3);
            using (TorchSharp.torch.no_grad())
                foreach (var (_, layer) in layers) layer.ia3_l.uniform_(0.2, 2.0, generator: new TorchSharp.torch.Generator(11));   // far from the identity 1
            Ia3Files.Save(lm, ia3, adapter);
        }
        string path = Path.Combine(folder, "ia3.gguf");
        GgufModelExporter.Export(model, adapter, GgufFileType.F32, path);
        var prompt = Engine.Tokenization.TokenizerLoader.Load(model).Encode("The quick brown fox", addSpecialTokens: false);
        int[] expected;
        using (var engine = LanguageModel.Open(model, ComputeDevice.Cpu, adapter))
            expected = [.. prompt, .. new TokenGenerator(engine.Network).Generate([prompt], SamplingOptions.Greedy with { MaxNewTokens = 10 }, eosTokenIds: [])[0].TokenIds];

        using var llama = new LlamaCpp(path);

        Assert.NotEqual(EngineGreedy(model, prompt, 10), expected);   // the adapter changes the continuation
        Assert.Equal(expected, llama.Greedy(prompt, 10));
    }

    [Fact]
    public void A_sentencepiece_vocabulary_is_written_as_llama_with_scores_and_tokenizes_in_llama_cpp_as_the_engine_does()
    {
        string[] pieces =
        [
            "<unk>", "<s>", "</s>", "▁", "a", "c", "e", "h", "o", "s", "t", "▁t", "he", "▁the", "at", "▁c", "▁cat", "▁s", "o▁",
        ];
        var config = TinyModels.Config("LlamaForCausalLM") with { VocabSize = 32 };
        string model = ModelFolder("sentencepiece", config, directory =>
            File.WriteAllBytes(Path.Combine(directory, "tokenizer.model"), HandBuiltSentencePiece.Model(pieces, byteFallback: false)));
        string path = Path.Combine(folder, "sentencepiece.gguf");
        GgufModelExporter.Export(model, null, GgufFileType.F16, path);
        var tokenizer = Engine.Tokenization.TokenizerLoader.Load(model);

        using var llama = new LlamaCpp(path);

        Assert.Equal("llama", llama.Metadata("tokenizer.ggml.model"));
        foreach (string text in new[] { "the cat", "so the cat sat", "hot tea" })
            Assert.Equal(tokenizer.Encode(text, addSpecialTokens: false), llama.Tokenize(text));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
