using System.Text.Json.Nodes;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>A Llama-3-style tokenizer.json: Split regex + ByteLevel pre-tokenizer and a TemplateProcessing post-processor adding BOS.</summary>
public class ByteLevelTokenizerJsonTests : IDisposable
{
    const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const int BeginOfText = 0, EndOfText = 1, EndOfTurn = 2;

    readonly TempModelDirectory folder = new();

    public ByteLevelTokenizerJsonTests()
    {
        string path = Path.Combine(folder.Path, "tokenizer.json");
        BpeTokenizerTrainer.TrainToFile(
            ["Hello world, hello there! The world is wide; the sea is wider.", "I'm sure 12345 is a number."],
            vocabSize: 320, ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"], path);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["pre_tokenizer"] = JsonNode.Parse($$"""
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": {{System.Text.Json.JsonSerializer.Serialize(Llama3Pattern)}}}, "behavior": "Isolated", "invert": false},
              {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
            """);
        json["post_processor"] = JsonNode.Parse("""
            {"type": "Sequence", "processors": [
              {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
              {"type": "TemplateProcessing",
               "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
               "pair": [],
               "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [0], "tokens": ["<|begin_of_text|>"]}}}]}
            """);
        File.WriteAllText(path, json.ToJsonString());
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_template_post_processor_puts_bos_in_front_only_when_special_tokens_are_added()
    {
        var tokenizer = TokenizerLoader.Load(folder.Path);

        var plain = tokenizer.Encode("Hello world", addSpecialTokens: false);
        var withSpecial = tokenizer.Encode("Hello world");

        Assert.DoesNotContain(BeginOfText, plain);
        Assert.Equal([BeginOfText, .. plain], withSpecial);
        Assert.Equal("Hello world", tokenizer.Decode(withSpecial));
    }

    [Fact]
    public void Add_bos_token_false_in_tokenizer_config_overrides_the_post_processor()
    {
        folder.Write("tokenizer_config.json", """{"add_bos_token": false, "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "pad_token": "<|end_of_text|>"}""");

        var tokenizer = TokenizerLoader.Load(folder.Path);

        Assert.Equal(tokenizer.Encode("Hello", addSpecialTokens: false), tokenizer.Encode("Hello"));
        Assert.Equal(BeginOfText, tokenizer.BosId);
        Assert.Equal(EndOfText, tokenizer.PadId);
        Assert.Equal([EndOfTurn], tokenizer.EosIds);
    }

    [Fact]
    public void Eos_ids_of_generation_config_and_config_join_the_tokenizers_eos()
    {
        folder.Write("tokenizer_config.json", """{"eos_token": {"content": "<|eot_id|>", "special": true}}""");
        folder.Write("generation_config.json", """{"eos_token_id": [1, 2]}""");
        folder.Write("config.json", """{"eos_token_id": 1}""");

        var tokenizer = TokenizerLoader.Load(folder.Path);

        Assert.Equal([EndOfTurn, EndOfText], tokenizer.EosIds);
    }

    [Fact]
    public void Special_tokens_are_matched_verbatim_between_ordinary_text()
    {
        var tokenizer = TokenizerLoader.Load(folder.Path);

        var ids = tokenizer.Encode("<|begin_of_text|>Hi<|eot_id|>", addSpecialTokens: false);

        Assert.Equal(BeginOfText, ids[0]);
        Assert.Equal(EndOfTurn, ids[^1]);
        Assert.Equal(tokenizer.Encode("Hi", addSpecialTokens: false), ids.Skip(1).SkipLast(1));
        Assert.Equal("Hi", tokenizer.Decode(ids));
        Assert.Equal("<|begin_of_text|>Hi<|eot_id|>", tokenizer.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void With_ignore_merges_a_piece_that_is_itself_a_token_skips_merging_as_in_llama3()
    {
        // "Ġxyz" is in the vocabulary but no merge builds it.
        string path = Path.Combine(folder.Path, "tokenizer.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["model"]!["vocab"]!["Ġxyz"] = 320;
        File.WriteAllText(path, json.ToJsonString());
        var merging = TokenizerLoader.Load(folder.Path);
        json["model"]!["ignore_merges"] = true;
        File.WriteAllText(path, json.ToJsonString());
        var ignoring = TokenizerLoader.Load(folder.Path);

        Assert.NotEqual([320], merging.Encode(" xyz", addSpecialTokens: false));
        Assert.Equal([320], ignoring.Encode(" xyz", addSpecialTokens: false));
    }

    [Fact]
    public void The_llama3_split_pattern_cuts_digits_in_threes_and_keeps_contractions_apart()
    {
        var spec = TokenizerJsonReader.Read(Path.Combine(folder.Path, "tokenizer.json"));

        var pieces = spec.PreTokenizer.Split("Hello world123456 I'm  ok\n\n", atTextStart: true);

        Assert.Equal(["Hello", " world", "123", "456", " I", "'m", " ", " ok", "\n\n"], pieces);
    }
}
