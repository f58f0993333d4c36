using System.Runtime.InteropServices;
using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Hugging Face's tokenizer pipeline: added tokens are cut out first, each remaining piece is normalised,
/// pre-tokenised and run through the vocabulary model, and the post-processor's ids go around the result.
/// Decoding concatenates the bytes of the tokens and reads them as UTF-8.
/// </summary>
internal sealed class PipelineTokenizer : ITextTokenizer
{
    readonly TokenizerSpec spec;
    readonly AddedTokenSplitter splitter;
    readonly byte[][] bytesOfId;
    readonly bool[] special;

    public PipelineTokenizer(TokenizerSpec spec)
    {
        this.spec = spec;
        splitter = new AddedTokenSplitter(spec.AddedTokens);
        VocabSize = spec.IdCount;

        bytesOfId = new byte[VocabSize][];
        Array.Fill(bytesOfId, []);
        foreach (var (token, id) in spec.Model.Vocabulary) bytesOfId[id] = spec.Model.BytesOf(token);
        special = new bool[VocabSize];
        foreach (var token in spec.AddedTokens)
        {
            bytesOfId[token.Id] = Encoding.UTF8.GetBytes(token.Content);
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
        foreach (var segment in splitter.Split(text))
        {
            if (segment.Token is not null)
            {
                ids.Add(segment.Token.Id);
                continue;
            }
            foreach (string word in spec.PreTokenizer.Split(spec.Normalize(segment.Text), atTextStart: segment.Start == 0))
                spec.Model.EncodeWord(word, ids);
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
