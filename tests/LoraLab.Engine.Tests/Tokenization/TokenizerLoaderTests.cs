using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

public class TokenizerLoaderTests
{
    [Fact]
    public void An_unsupported_model_type_is_named_with_the_file_and_what_is_supported()
    {
        using var folder = new TempModelDirectory();
        string path = folder.Write("tokenizer.json", """{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}}""");

        var error = Assert.Throws<NotSupportedException>(() => TokenizerLoader.Load(folder.Path));

        Assert.Equal($"{path}: model type 'WordPiece' is not supported; supported: BPE", error.Message);
    }

    [Fact]
    public void Malformed_json_names_the_file()
    {
        using var folder = new TempModelDirectory();
        string path = folder.Write("tokenizer.json", """{"model": {"type": "BPE", """);

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));

        Assert.StartsWith($"{path}: not valid JSON", error.Message);
    }

    [Fact]
    public void A_field_of_the_wrong_kind_names_the_file()
    {
        using var folder = new TempModelDirectory();
        string path = folder.Write("tokenizer.json", """{"model": {"type": "BPE", "vocab": {"a": "zero"}, "merges": []}}""");

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));

        Assert.StartsWith($"{path}: unexpected content", error.Message);
    }

    [Fact]
    public void An_unsupported_pre_tokenizer_is_named()
    {
        using var folder = new TempModelDirectory();
        folder.Write("tokenizer.json", """{"pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""");

        var error = Assert.Throws<NotSupportedException>(() => TokenizerLoader.Load(folder.Path));

        Assert.Contains("tokenizer.json: pre_tokenizer type 'BertPreTokenizer' is not supported", error.Message);
    }

    [Fact]
    public void A_folder_without_tokenizer_files_says_which_files_it_looked_for()
    {
        using var folder = new TempModelDirectory();

        var error = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(folder.Path));

        Assert.Contains("tokenizer.json", error.Message);
        Assert.Contains("tokenizer.model", error.Message);
    }

    [Fact]
    public void A_tokenizer_model_that_is_not_a_sentencepiece_model_names_the_file()
    {
        using var folder = new TempModelDirectory();
        string path = Path.Combine(folder.Path, "tokenizer.model");
        File.WriteAllBytes(path, [0x0A, 0xFF, 0xFF, 0x01]);

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));

        Assert.StartsWith($"{path}: not a SentencePiece model", error.Message);
    }

    [Fact]
    public void A_special_token_of_tokenizer_config_that_is_not_in_the_vocabulary_is_named()
    {
        using var folder = new TempModelDirectory();
        BpeTokenizerTrainer.TrainToFile(["some text"], 260, ["<eos>"], Path.Combine(folder.Path, "tokenizer.json"));
        folder.Write("tokenizer_config.json", """{"eos_token": "</s>"}""");

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));

        Assert.Contains("tokenizer_config.json: eos_token '</s>' is not in the vocabulary", error.Message);
    }

    [Fact]
    public void Tokenizer_json_is_preferred_over_tokenizer_model()
    {
        using var folder = new TempModelDirectory();
        BpeTokenizerTrainer.TrainToFile(["some text"], 260, ["<eos>"], Path.Combine(folder.Path, "tokenizer.json"));
        File.Copy(Path.Combine(TokenizerFixtures.LlamaSentencePieceDirectory, "tokenizer.model"), Path.Combine(folder.Path, "tokenizer.model"));

        Assert.Equal(260, TokenizerLoader.Load(folder.Path).VocabSize);
    }

    [Fact]
    public void Chat_tokens_of_tokenizer_config_extend_a_sentencepiece_model()
    {
        using var folder = new TempModelDirectory();
        File.Copy(Path.Combine(TokenizerFixtures.LlamaSentencePieceDirectory, "tokenizer.model"), Path.Combine(folder.Path, "tokenizer.model"));
        folder.Write("tokenizer_config.json", """
            {"add_bos_token": true, "add_eos_token": true, "eos_token": "<|im_end|>",
             "added_tokens_decoder": {"32000": {"content": "<|im_end|>", "special": true}}}
            """);

        var tokenizer = TokenizerLoader.Load(folder.Path);

        Assert.Equal(32001, tokenizer.VocabSize);
        Assert.Equal([1, 15043, 32000], tokenizer.Encode("Hello"));
        Assert.Equal([15043, 32000], tokenizer.Encode("Hello<|im_end|>", addSpecialTokens: false));
        Assert.Equal([32000], tokenizer.EosIds);
    }
}
