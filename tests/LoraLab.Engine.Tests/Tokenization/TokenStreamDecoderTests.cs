using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

public class TokenStreamDecoderTests
{
    static readonly Lazy<ITextTokenizer> Gpt2 = new(() => TokenizerLoader.Load(TokenizerFixtures.Gpt2Directory));
    static readonly Lazy<ITextTokenizer> Llama = new(() => TokenizerLoader.Load(TokenizerFixtures.LlamaSentencePieceDirectory));

    public static TheoryData<string> Texts => new()
    {
        "🚀 (normal) 😶‍🌫️ (multiple emojis concatenated) ✅ 🦙🦙",
        "我想在apple工作1314151天～",
        " leading space, then Cửa Việt and កាន់តែពិសេសអាច",
        "Hello, y'all! How are you 😁 ?",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Streaming_gpt2_tokens_yields_exactly_the_decoded_text(string text) => AssertStreamsLikeDecode(Gpt2.Value, text);

    [Theory]
    [MemberData(nameof(Texts))]
    public void Streaming_llama_byte_fallback_tokens_yields_exactly_the_decoded_text(string text) => AssertStreamsLikeDecode(Llama.Value, text);

    [Fact]
    public void A_character_spelled_in_byte_tokens_appears_only_with_its_last_byte()
    {
        var stream = new TokenStreamDecoder(Llama.Value);

        // ▁ <0xF0> <0x9F> <0xA6> <0x99>: the dummy-prefix space is dropped, the llama waits for its fourth byte.
        var pieces = new[] { 29871, 243, 162, 169, 156 }.Select(stream.Push).ToList();

        Assert.Equal(["", "", "", "", "🦙"], pieces);
        Assert.Equal("", stream.Flush());
    }

    [Fact]
    public void Flush_shows_an_unfinished_character_as_a_replacement_character_like_decode()
    {
        var stream = new TokenStreamDecoder(Gpt2.Value);
        int[] ids = [8582, 248]; // the first two of the three tokens of 🚀

        string streamed = string.Concat(ids.Select(stream.Push)) + stream.Flush();

        Assert.Equal(Gpt2.Value.Decode(ids), streamed);
        Assert.EndsWith("\uFFFD", streamed);
    }

    [Fact]
    public void Any_other_tokenizer_is_streamed_by_redecoding_and_also_never_splits_a_character()
    {
        var bytesAsIds = new BytesAsIdsTokenizer();
        string text = "é🦙!";
        var stream = new TokenStreamDecoder(bytesAsIds);

        var pieces = bytesAsIds.Encode(text).Select(stream.Push).ToList();

        Assert.Equal(["", "é", "", "", "", "🦙", "!"], pieces);
        Assert.Equal("", stream.Flush());
    }

    /// <summary>A test double whose ids are the UTF-8 bytes of the text.</summary>
    sealed class BytesAsIdsTokenizer : ITextTokenizer
    {
        public int VocabSize => 256;
        public int? BosId => null;
        public IReadOnlyList<int> EosIds => [];
        public int? PadId => null;
        public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true) => System.Text.Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToList();
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => System.Text.Encoding.UTF8.GetString(ids.Select(id => (byte)id).ToArray());
        public bool IsSpecial(int id) => false;
    }

    static void AssertStreamsLikeDecode(ITextTokenizer tokenizer, string text)
    {
        var ids = tokenizer.Encode(text);
        var stream = new TokenStreamDecoder(tokenizer);

        var pieces = ids.Select(stream.Push).ToList();
        string streamed = string.Concat(pieces) + stream.Flush();

        Assert.Equal(tokenizer.Decode(ids), streamed);
        Assert.Equal(text, streamed);
        Assert.DoesNotContain(pieces, piece => piece.Contains('\uFFFD') || (piece.Length > 0 && char.IsHighSurrogate(piece[^1])));
    }
}
