using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

public class LlamaSentencePieceConformanceTests
{
    static readonly Lazy<ITextTokenizer> Llama = new(() => TokenizerLoader.Load(TokenizerFixtures.LlamaSentencePieceDirectory));
    static IReadOnlyList<TokenizerFixtures.Case> Cases => TokenizerFixtures.Cases(TokenizerFixtures.LlamaSentencePieceDirectory);

    [Fact]
    public void Every_reference_text_encodes_to_the_reference_ids_without_bos()
    {
        var mismatches = TokenizerFixtures.EncodingMismatches(Llama.Value, Cases);

        Assert.Equal(46, Cases.Count);
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Equal_score_merges_go_to_the_leftmost_pair_as_in_sentencepiece()
    {
        // "▁!!!!!!": "!!" merges leftmost first, giving ▁! !! !!! rather than ▁! !!! !!.
        Assert.Equal([1738, 6824, 21004], Llama.Value.Encode("!!!!!!", addSpecialTokens: false));
    }

    [Fact]
    public void Decoding_the_reference_ids_gives_every_text_back()
    {
        var mismatches = Cases.Where(c => Llama.Value.Decode(c.Ids) != c.Text).Select(c => c.ToString()).ToList();

        Assert.Empty(mismatches);
    }

    [Fact]
    public void Bos_is_added_by_default_as_hugging_faces_llama_tokenizer_does()
    {
        Assert.Equal([1, 15043, 3186], Llama.Value.Encode("Hello world"));
        Assert.Equal(1, Llama.Value.BosId);
        Assert.Equal([2], Llama.Value.EosIds);
        Assert.Equal(32000, Llama.Value.VocabSize);
    }

    [Fact]
    public void Bos_and_eos_written_in_the_text_are_recognised_verbatim()
    {
        var ids = Llama.Value.Encode("<s>Hello</s>", addSpecialTokens: false);

        Assert.Equal([1, 15043, 2], ids);
        Assert.True(Llama.Value.IsSpecial(1) && Llama.Value.IsSpecial(2) && !Llama.Value.IsSpecial(15043));
        Assert.Equal("Hello", Llama.Value.Decode(ids));
    }

    [Fact]
    public void Characters_outside_the_vocabulary_fall_back_to_their_utf8_bytes()
    {
        // 🦙 = F0 9F A6 99; byte pieces <0x00>… start at id 3.
        Assert.Equal([29871, 3 + 0xF0, 3 + 0x9F, 3 + 0xA6, 3 + 0x99], Llama.Value.Encode("🦙", addSpecialTokens: false));
    }
}
