namespace LoraLab.Engine.Tokenization;

/// <summary>A tokenizer of a Hugging Face model folder, made by <see cref="TokenizerLoader"/>.</summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids, added tokens included (Hugging Face's <c>len(tokenizer)</c>).</summary>
    int VocabSize { get; }

    int? BosId { get; }

    /// <summary>Every id that ends generation: the tokenizer's EOS and those of generation_config.json / config.json.</summary>
    IReadOnlyList<int> EosIds { get; }

    int? PadId { get; }

    /// <summary>The ids Hugging Face's <c>tokenizer(text)["input_ids"]</c> gives; with <paramref name="addSpecialTokens"/> the post-processor's BOS/EOS are added.</summary>
    IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true);

    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);

    bool IsSpecial(int id);
}
