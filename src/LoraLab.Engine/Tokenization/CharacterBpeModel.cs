using System.Globalization;
using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// SentencePiece-style BPE: the piece starts as one symbol per character and the best-ranked adjacent pair is
/// merged until none is left, the leftmost pair winning a tie (SentencePiece's and Hugging Face's order; it
/// decides runs such as "!!!!!!"). Characters outside the vocabulary become their UTF-8 bytes as
/// &lt;0xXX&gt; tokens (byte fallback) or the unknown token. Decoding turns '▁' back into a space.
/// </summary>
internal sealed class CharacterBpeModel : IWordModel
{
    public const char SpaceMark = '▁';

    readonly Dictionary<(int Left, int Right), (int Rank, int Merged)> merges;
    readonly int[]? byteIds;
    readonly int? unknownId;

    /// <param name="merges">Mergeable pairs of token ids with their rank (lower merges first; equal ranks tie) and the merged id.</param>
    /// <param name="byteFallback">Whether &lt;0x00&gt;…&lt;0xFF&gt; stand in for characters outside the vocabulary.</param>
    public CharacterBpeModel(IReadOnlyDictionary<string, int> vocabulary, Dictionary<(int Left, int Right), (int Rank, int Merged)> merges,
        bool byteFallback, int? unknownId, string sourceFile)
    {
        Vocabulary = vocabulary;
        this.merges = merges;
        this.unknownId = unknownId;
        if (byteFallback)
        {
            byteIds = new int[256];
            for (int b = 0; b < 256; b++)
            {
                if (!vocabulary.TryGetValue($"<0x{b:X2}>", out byteIds[b]))
                    throw new InvalidDataException($"{sourceFile}: byte fallback is on but the vocabulary has no token <0x{b:X2}>");
            }
        }
    }

    public IReadOnlyDictionary<string, int> Vocabulary { get; }

    public void EncodeWord(string word, List<int> ids)
    {
        var symbols = InitialSymbols(word);
        var agenda = new PriorityQueue<(int Left, int Right, int LeftId, int RightId), (int Rank, int Start)>();
        void Consider(int left)
        {
            int right = symbols[left].Next;
            if (right < 0 || !merges.TryGetValue((symbols[left].Id, symbols[right].Id), out var merge)) return;
            agenda.Enqueue((left, right, symbols[left].Id, symbols[right].Id), (merge.Rank, symbols[left].Start));
        }
        for (int i = 0; i < symbols.Length; i++) Consider(i);

        while (agenda.TryDequeue(out var pair, out _))
        {
            ref Symbol left = ref symbols[pair.Left];
            ref Symbol right = ref symbols[pair.Right];
            // Entries go stale when a neighbour merges first; the queue keeps them, so skip them here.
            bool stale = left.Length == 0 || right.Length == 0 || left.Next != pair.Right || left.Id != pair.LeftId || right.Id != pair.RightId;
            if (stale) continue;

            left.Id = merges[(pair.LeftId, pair.RightId)].Merged;
            left.Length += right.Length;
            left.Next = right.Next;
            if (right.Next >= 0) symbols[right.Next].Prev = pair.Left;
            right.Length = 0;
            if (left.Prev >= 0) Consider(left.Prev);
            Consider(pair.Left);
        }

        for (int i = 0; i >= 0 && i < symbols.Length; i = symbols[i].Next)
        {
            if (symbols[i].Id >= 0) ids.Add(symbols[i].Id);
            else AddUnknown(word.Substring(symbols[i].Start, symbols[i].Length), ids);
        }
    }

    public byte[] BytesOf(string token)
    {
        if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte value))
            return [value];
        return Encoding.UTF8.GetBytes(token.Replace(SpaceMark, ' '));
    }

    Symbol[] InitialSymbols(string word)
    {
        var symbols = new List<Symbol>(word.Length);
        for (int i = 0; i < word.Length;)
        {
            int length = char.IsSurrogatePair(word, i) ? 2 : 1;
            int id = Vocabulary.TryGetValue(word.Substring(i, length), out int found) ? found : -1;
            symbols.Add(new Symbol { Id = id, Start = i, Length = length, Prev = symbols.Count - 1, Next = i + length < word.Length ? symbols.Count + 1 : -1 });
            i += length;
        }
        return [.. symbols];
    }

    void AddUnknown(string character, List<int> ids)
    {
        if (byteIds is not null)
        {
            foreach (byte b in Encoding.UTF8.GetBytes(character)) ids.Add(byteIds[b]);
        }
        else if (unknownId is int unk) ids.Add(unk);
        else throw new InvalidOperationException($"'{character}' (U+{(int)character.EnumerateRunes().First().Value:X4}) is not in the vocabulary, which has neither byte fallback nor an unknown token");
    }

    struct Symbol
    {
        public int Id;     // -1: a character outside the vocabulary
        public int Start;  // char offset in the word
        public int Length; // chars covered; 0 once merged into the left neighbour
        public int Prev;
        public int Next;
    }
}
