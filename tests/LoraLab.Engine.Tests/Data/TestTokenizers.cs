using LoraLab.Engine.Tests.Tokenization;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Data;

/// <summary>Small byte-level BPE tokenizers trained for the dataset tests: they encode any text and decode it back exactly.</summary>
internal static class TestTokenizers
{
    public const string EndOfText = "<|endoftext|>";

    static readonly string[] Corpus =
    [
        "Below is an instruction that describes a task. Write a response that appropriately completes the request.",
        "### Instruction:\nAdd two and three.\n\n### Response:\nFive.",
        "system\nYou are terse.\nuser\nHi\nassistant\nHello! How are you? Fine, thanks.",
        "the cat sat on the mat and the dog sat on the log",
    ];

    static readonly Lazy<ITextTokenizer> chatMl = new(() => Train([EndOfText, "<|im_start|>", "<|im_end|>"], EndOfText));

    /// <summary>Knows chatml's markers as special tokens; EOS is &lt;|endoftext|&gt;.</summary>
    public static ITextTokenizer ChatMl => chatMl.Value;

    /// <summary>Has no EOS token at all.</summary>
    public static ITextTokenizer WithoutEos() => Train([], eosToken: null);

    static ITextTokenizer Train(string[] specialTokens, string? eosToken)
    {
        using var folder = new TempModelDirectory();
        BpeTokenizerTrainer.TrainToFile(Corpus, vocabSize: 320, specialTokens, Path.Combine(folder.Path, "tokenizer.json"));
        if (eosToken is not null) folder.Write("tokenizer_config.json", $$"""{"eos_token": "{{eosToken}}"}""");
        return TokenizerLoader.Load(folder.Path);
    }
}
