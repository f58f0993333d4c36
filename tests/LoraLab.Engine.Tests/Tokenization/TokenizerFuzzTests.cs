using System.Text.Json.Nodes;
using LoraLab.Engine.Tests.Files;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>
/// Hundreds of corrupted tokenizer files, made deterministically from valid ones: each loads, with every id inside the
/// tokenizer's table, or is refused with the loader's documented exceptions (<see cref="InvalidDataException"/>,
/// <see cref="NotSupportedException"/>) naming the file; none throws anything else or allocates without bound.
/// </summary>
public sealed class TokenizerFuzzTests : IDisposable
{
    /// <summary>Compiled regexes and the BPE library's tables of a tokenizer this small take well under this.</summary>
    const long AllocationAllowance = 16 << 20;

    readonly TempModelDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    static bool IsRefusal(Exception e) => e is InvalidDataException or NotSupportedException;

    [Fact]
    public void Every_corrupted_byte_level_tokenizer_json_loads_or_is_refused_naming_the_file()
    {
        var valid = ByteLevelTokenizer();

        var outcome = Fuzz.Run(JsonAndByteMutants(valid, seed: 21), Path.Combine(_folder.Path, "tokenizer.json"), Load, IsRefusal, AllocationAllowance);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 100, outcome.ToString());
    }

    [Fact]
    public void Every_corrupted_sentencepiece_style_tokenizer_json_loads_or_is_refused_naming_the_file()
    {
        var valid = JsonNode.Parse(CharacterBpeTokenizerJson())!;

        var outcome = Fuzz.Run(JsonAndByteMutants(valid, seed: 22), Path.Combine(_folder.Path, "tokenizer.json"), Load, IsRefusal, AllocationAllowance);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 100, outcome.ToString());
    }

    [Fact]
    public void Every_corrupted_tokenizer_config_json_loads_or_is_refused_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "tokenizer.json"), CharacterBpeTokenizerJson());
        var valid = JsonNode.Parse("""
            {"add_bos_token": true, "add_eos_token": false, "bos_token": "<s>", "eos_token": {"content": "</s>", "special": true},
             "pad_token": null,
             "added_tokens_decoder": {"0": {"content": "<unk>", "special": true}, "1": {"content": "<s>", "special": true}},
             "chat_template": "{% for message in messages %}<|im_start|>{{ message['content'] }}{% endfor %}"}
            """)!;

        var outcome = Fuzz.Run(JsonAndByteMutants(valid, seed: 23), Path.Combine(_folder.Path, "tokenizer_config.json"), Load, IsRefusal, AllocationAllowance);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 20, outcome.ToString());
    }

    [Fact]
    public void Every_corrupted_sentencepiece_model_loads_or_is_refused_naming_the_file()
    {
        var valid = HandBuiltSentencePiece.Model(["<unk>", "<s>", "</s>", "▁", "a", "b", "▁a", "ab"], byteFallback: false);

        var outcome = Fuzz.Run(Mutations.OfBytes(valid, count: 600, seed: 24), Path.Combine(_folder.Path, "tokenizer.model"), Load, IsRefusal, AllocationAllowance);

        Assert.Empty(outcome.Problems);
        Assert.True(outcome.Accepted >= 20 && outcome.Refused >= 100, outcome.ToString());
    }

    /// <summary>Loads the folder and, when it loads, checks that the table every id indexes is as large as the ids it hands out.</summary>
    IEnumerable<string> Load()
    {
        var tokenizer = TokenizerLoader.Load(_folder.Path);
        if (tokenizer.VocabSize > TokenizerSpec.MaxIds) return [$"vocabulary of {tokenizer.VocabSize} ids was accepted"];
        var ids = new[] { tokenizer.BosId, tokenizer.PadId }.OfType<int>().Concat(tokenizer.EosIds);
        return ids.Where(id => id < 0 || id >= tokenizer.VocabSize).Select(id => $"special id {id} of {tokenizer.VocabSize} was accepted");
    }

    static IEnumerable<Mutant> JsonAndByteMutants(JsonNode valid, int seed) =>
        Mutations.OfJson(valid, count: 300, seed).Select(m => new Mutant(m.Name, Mutations.Utf8(m.Json)))
            .Concat(Mutations.OfBytes(Mutations.Utf8(valid), count: 150, seed + 100));

    /// <summary>A byte-level tokenizer trained here, with the pipeline sections the reader understands added around it.</summary>
    JsonNode ByteLevelTokenizer()
    {
        string path = Path.Combine(_folder.Path, "trained.json");
        BpeTokenizerTrainer.TrainToFile(["the cat sat on the mat", "a dog ran", "hello world 42"], vocabSize: 300, ["<|endoftext|>", "<|im_start|>"], path);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        File.Delete(path);
        json["normalizer"] = JsonNode.Parse("""{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "}]}""");
        json["pre_tokenizer"] = JsonNode.Parse("""
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": "Isolated", "invert": false},
              {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}]}
            """);
        json["post_processor"] = JsonNode.Parse("""
            {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|im_start|>"}}, {"Sequence": {"id": "A"}}],
             "special_tokens": {"<|im_start|>": {"id": "<|im_start|>", "ids": [1], "tokens": ["<|im_start|>"]}}}
            """);
        json["decoder"] = JsonNode.Parse("""{"type": "ByteLevel"}""");
        return json;
    }

    /// <summary>The Llama 2 layout: '▁' for spaces, byte fallback, unknown token, post-processor adding BOS.</summary>
    static string CharacterBpeTokenizerJson()
    {
        string bytes = string.Join(", ", Enumerable.Range(0, 256).Select(b => $"\"<0x{b:X2}>\": {3 + b}"));
        return """
            {
              "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true}, {"id": 2, "content": "</s>", "special": true}],
              "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
              "post_processor": {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [1]}}},
              "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
                {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
              "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true,
                "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, BYTE_TOKENS, "▁": 259, "a": 260, "b": 261, "▁a": 262, "ab": 263, "▁ab": 264},
                "merges": ["a b", "▁ a", ["▁a", "b"]]}
            }
            """.Replace("BYTE_TOKENS", bytes);
    }
}
