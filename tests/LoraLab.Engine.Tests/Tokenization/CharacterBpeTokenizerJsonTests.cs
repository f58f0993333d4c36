using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>A hand-made tokenizer.json in the layout Hugging Face converts Llama 2 / Mistral to: '▁' spaces, byte fallback, BPE merges.</summary>
public class CharacterBpeTokenizerJsonTests : IDisposable
{
    // Ids: <unk> <s> </s>, then <0x00>…<0xFF> at 3…258, then the pieces.
    const int Bos = 1, Space = 259, A = 260, B = 261, SpaceA = 262, AB = 263, AA = 265;
    static int ByteToken(int value) => 3 + value;

    readonly TempModelDirectory folder = new();
    readonly ITextTokenizer tokenizer;

    public CharacterBpeTokenizerJsonTests()
    {
        string bytes = string.Join(", ", Enumerable.Range(0, 256).Select(b => $"\"<0x{b:X2}>\": {ByteToken(b)}"));
        folder.Write("tokenizer.json", """
            {
              "version": "1.0",
              "added_tokens": [
                {"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true}, {"id": 2, "content": "</s>", "special": true}],
              "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
              "pre_tokenizer": null,
              "post_processor": {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
              "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
              "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true,
                "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, BYTE_TOKENS, "▁": 259, "a": 260, "b": 261, "▁a": 262, "ab": 263, "▁ab": 264, "aa": 265},
                "merges": ["a b", "▁ a", "▁a b", "a a"]}
            }
            """.Replace("BYTE_TOKENS", bytes));
        tokenizer = TokenizerLoader.Load(folder.Path);
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Merges_apply_by_rank_so_the_best_ranked_pair_wins_over_earlier_ones()
    {
        // ▁ a b ▁ a b: "a b" (rank 0) beats "▁ a" (rank 1), and nothing merges ▁ with ab.
        Assert.Equal([Bos, Space, AB, Space, AB], tokenizer.Encode("ab ab"));
    }

    [Fact]
    public void Equal_ranked_pairs_merge_leftmost_first()
    {
        // ▁ b a a a: both "a a" pairs have rank 3; the left one merges, leaving a lone a at the end.
        Assert.Equal([Space, B, AA, A], tokenizer.Encode("baaa", addSpecialTokens: false));
        Assert.Equal([SpaceA, AA], tokenizer.Encode("aaa", addSpecialTokens: false));
    }

    [Fact]
    public void Characters_outside_the_vocabulary_become_byte_tokens_and_decode_back()
    {
        var ids = tokenizer.Encode("é", addSpecialTokens: false);

        Assert.Equal([Space, ByteToken(0xC3), ByteToken(0xA9)], ids);
        Assert.Equal("é", tokenizer.Decode(ids));
    }

    [Fact]
    public void Decoding_drops_the_space_of_the_dummy_prefix_and_skips_bos()
    {
        Assert.Equal("ab ab", tokenizer.Decode(tokenizer.Encode("ab ab")));
        Assert.Equal("<s> ab", tokenizer.Decode([Bos, Space, AB], skipSpecialTokens: false));
    }
}
