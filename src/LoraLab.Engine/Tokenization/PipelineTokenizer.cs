using System.Runtime.InteropServices;
using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Hugging Face's tokenizer pipeline: the added tokens that are not normalised are cut out of the raw text first,
/// each remaining piece is normalised, the normalised added tokens are cut out of that, and what is left is
/// pre-tokenised and run through the vocabulary model; the post-processor's ids go around the result.
/// Decoding concatenates the bytes of the tokens, added tokens included (Hugging Face runs them through the same
/// decoder), and reads them as UTF-8.
/// </summary>
internal sealed class PipelineTokenizer : ITextTokenizer
{
    readonly TokenizerSpec spec;
    readonly AddedTokenSplitter rawSplitter;
    readonly AddedTokenSplitter normalizedSplitter;
    readonly byte[][] bytesOfId;
    readonly bool[] special;

    public PipelineTokenizer(TokenizerSpec spec)
    {
        this.spec = spec;
        rawSplitter = new AddedTokenSplitter(spec.AddedTokens.Where(t => !t.Normalized));
        // Hugging Face looks for a normalised token by its normalised content (Llama 2's Prepend makes "▁a" "▁▁a").
        normalizedSplitter = new AddedTokenSplitter(spec.AddedTokens.Where(t => t.Normalized).Select(t => t with { Content = spec.Normalize(t.Content) }));
        VocabSize = spec.IdCount;

        bytesOfId = new byte[VocabSize][];
        Array.Fill(bytesOfId, []);
        foreach (var (token, id) in spec.Model.Vocabulary) bytesOfId[id] = spec.Model.BytesOf(token);
        special = new bool[VocabSize];
        foreach (var token in spec.AddedTokens)
        {
            bytesOfId[token.Id] = spec.Model.BytesOf(token.Content);
            special[token.Id] = token.Special;
        }
        foreach (int id in new[] { spec.BosId, spec.PadId }.OfType<int>().Concat(spec.EosIds)) special[id] = true;
    }

    public int VocabSize { get; }
    public int? BosId => spec.BosId;
    public IReadOnlyList<int> EosIds => spec.EosIds;
    public int? PadId => spec.PadId;

    internal bool DecodeStripsLeadingSpace => spec.DecodeStripsLeadingSpace;

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecialTokens) ids.AddRange(spec.PrefixIds);
        foreach (var segment in rawSplitter.Split(text))
        {
            if (segment.Token is not null)
            {
                ids.Add(segment.Token.Id);
                continue;
            }
            foreach (var piece in normalizedSplitter.Split(spec.Normalize(segment.Text)))
            {
                if (piece.Token is not null)
                {
                    ids.Add(piece.Token.Id);
                    continue;
                }
                foreach (string word in spec.PreTokenizer.Split(piece.Text, atTextStart: segment.Start == 0 && piece.Start == 0))
                    spec.Model.EncodeWord(word, ids);
            }
        }
        if (addSpecialTokens) ids.AddRange(spec.SuffixIds);
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        var bytes = new List<byte>();
        foreach (int id in ids) AppendBytes(id, skipSpecialTokens, bytes);
        string text = Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(bytes));
        return spec.DecodeStripsLeadingSpace && text.StartsWith(' ') ? text[1..] : text;
    }

    public bool IsSpecial(int id) => id >= 0 && id < VocabSize && special[id];

    internal void AppendBytes(int id, bool skipSpecialTokens, List<byte> sink)
    {
        if (id < 0 || id >= VocabSize)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is outside the vocabulary of {VocabSize} ids ({spec.SourceFile})");
        if (skipSpecialTokens && special[id]) return;
        sink.AddRange(bytesOfId[id]);
    }
}
