using System.Text;
using Microsoft.ML.Tokenizers;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// GPT-2 style byte-level BPE: the piece's UTF-8 bytes, written in <see cref="ByteLevelAlphabet"/>, merged by
/// rank. The merging itself is Microsoft.ML.Tokenizers' BpeTokenizer; pre-tokenisation stays ours.
/// </summary>
internal sealed class ByteLevelBpeModel : IWordModel
{
    readonly BpeTokenizer bpe;
    readonly bool ignoreMerges;

    /// <param name="merges">"left right" pairs, highest priority first.</param>
    /// <param name="ignoreMerges">tokenizer.json's ignore_merges (Llama 3): a piece that is itself a token is not merged.</param>
    public ByteLevelBpeModel(IReadOnlyDictionary<string, int> vocabulary, IEnumerable<string> merges, bool ignoreMerges)
    {
        Vocabulary = vocabulary;
        this.ignoreMerges = ignoreMerges;
        bpe = BpeTokenizer.Create(new BpeOptions(vocabulary) { Merges = merges, ByteLevel = true });
    }

    public IReadOnlyDictionary<string, int> Vocabulary { get; }

    public void EncodeWord(string word, List<int> ids)
    {
        if (ignoreMerges && Vocabulary.TryGetValue(ByteLevelAlphabet.Encode(word), out int whole))
        {
            ids.Add(whole);
            return;
        }
        ids.AddRange(bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
    }

    public byte[] BytesOf(string token) => ByteLevelAlphabet.TryDecode(token) ?? Encoding.UTF8.GetBytes(token);
}
