using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

public class BpeTokenizerTrainerTests : IDisposable
{
    static readonly string[] Corpus =
    [
        "the cat sat on the mat. the cat ate the rat.",
        "the dog sat on the log; the dog saw the cat<|endoftext|>the end",
        "Ünïcödé, 日本語 and 🦙 appear once.",
    ];

    readonly TempModelDirectory folder = new();
    string TokenizerJson => Path.Combine(folder.Path, "tokenizer.json");

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_trained_tokenizer_loads_and_gives_back_any_text()
    {
        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 300, ["<|endoftext|>", "<pad>"], TokenizerJson);
        var tokenizer = TokenizerLoader.Load(folder.Path);

        string unseen = "A new text: 🚀 über café 你好\n\tthe cat";
        Assert.All(Corpus.Append(unseen), text => Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text), skipSpecialTokens: false)));
    }

    [Fact]
    public void Special_tokens_take_the_first_ids_and_are_matched_whole()
    {
        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 300, ["<|endoftext|>", "<pad>"], TokenizerJson);
        var tokenizer = TokenizerLoader.Load(folder.Path);

        Assert.Equal([0], tokenizer.Encode("<|endoftext|>"));
        Assert.Equal([1], tokenizer.Encode("<pad>"));
        Assert.True(tokenizer.IsSpecial(0) && tokenizer.IsSpecial(1) && !tokenizer.IsSpecial(2));
    }

    [Fact]
    public void Frequent_words_become_single_tokens_and_the_vocabulary_fills_to_the_requested_size()
    {
        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 300, ["<|endoftext|>"], TokenizerJson);
        var tokenizer = TokenizerLoader.Load(folder.Path);

        Assert.Equal(300, tokenizer.VocabSize);
        Assert.Single(tokenizer.Encode(" the"));
        Assert.Single(tokenizer.Encode(" cat"));
    }

    [Fact]
    public void Training_is_deterministic()
    {
        string second = Path.Combine(folder.Path, "again.json");

        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 290, [], TokenizerJson);
        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 290, [], second);

        Assert.Equal(File.ReadAllBytes(TokenizerJson), File.ReadAllBytes(second));
    }

    [Fact]
    public void A_vocabulary_smaller_than_the_bytes_and_special_tokens_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 257, ["<a>", "<b>"], TokenizerJson));

        Assert.Contains("at least 258", error.Message);
    }
}
