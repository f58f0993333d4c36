using System.Text.Json;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

public class Gpt2ConformanceTests
{
    static readonly Lazy<ITextTokenizer> Gpt2 = new(() => TokenizerLoader.Load(TokenizerFixtures.Gpt2Directory));
    static IReadOnlyList<TokenizerFixtures.Case> Cases => TokenizerFixtures.Cases(TokenizerFixtures.Gpt2Directory);

    [Fact]
    public void Every_reference_text_encodes_to_the_reference_ids()
    {
        var mismatches = TokenizerFixtures.EncodingMismatches(Gpt2.Value, Cases);

        Assert.Equal(46, Cases.Count);
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Decoding_the_reference_ids_gives_every_text_back()
    {
        var mismatches = Cases.Where(c => Gpt2.Value.Decode(c.Ids) != c.Text).Select(c => c.ToString()).ToList();

        Assert.Empty(mismatches);
    }

    [Fact]
    public void The_end_of_text_token_is_recognised_verbatim_and_skipped_when_decoding()
    {
        var ids = Gpt2.Value.Encode("Hello<|endoftext|> world");

        Assert.Equal([15496, 50256, 995], ids);
        Assert.True(Gpt2.Value.IsSpecial(50256));
        Assert.Equal("Hello world", Gpt2.Value.Decode(ids));
        Assert.Equal("Hello<|endoftext|> world", Gpt2.Value.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void The_vocabulary_has_gpt2s_50257_ids_and_no_bos()
    {
        Assert.Equal(50257, Gpt2.Value.VocabSize);
        Assert.Null(Gpt2.Value.BosId);
    }

    [Fact]
    public void A_split_regex_sequence_as_qwen_and_llama3_write_it_tokenizes_like_the_bytelevel_regex()
    {
        // The same GPT-2 pattern, written the Qwen/Llama 3 way: Split(Isolated) then ByteLevel without regex.
        using var folder = new TempModelDirectory();
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.Gpt2Directory, "tokenizer.json")))!;
        json["pre_tokenizer"] = System.Text.Json.Nodes.JsonNode.Parse($$"""
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": {{JsonSerializer.Serialize(PreTokenizerPattern)}}}, "behavior": "Isolated", "invert": false},
              {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
            """);
        folder.Write("tokenizer.json", json.ToJsonString());
        var tokenizer = TokenizerLoader.Load(folder.Path);

        var mismatches = Cases.Where(c => !tokenizer.Encode(c.Text, addSpecialTokens: false).SequenceEqual(c.Ids)).Select(c => c.ToString()).ToList();

        Assert.Empty(mismatches);
    }

    const string PreTokenizerPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
}
