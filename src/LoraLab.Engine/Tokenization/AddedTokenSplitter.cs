namespace LoraLab.Engine.Tokenization;

/// <summary>One piece of the input: plain text starting at <paramref name="Start"/>, or an added token.</summary>
internal readonly record struct TextSegment(int Start, string Text, AddedToken? Token);

/// <summary>Cuts the input at the added tokens, leftmost-longest as Hugging Face does.</summary>
internal sealed class AddedTokenSplitter
{
    readonly Dictionary<char, AddedToken[]> candidatesByFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        candidatesByFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public List<TextSegment> Split(string text)
    {
        var segments = new List<TextSegment>();
        int plainStart = 0, i = 0;
        while (i < text.Length)
        {
            AddedToken? token = MatchAt(text, i);
            if (token is null) { i++; continue; }

            int start = i, end = i + token.Content.Length;
            if (token.LStrip) while (start > plainStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (token.RStrip) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > plainStart) segments.Add(new TextSegment(plainStart, text[plainStart..start], null));
            segments.Add(new TextSegment(start, token.Content, token));
            plainStart = i = end;
        }
        if (plainStart < text.Length) segments.Add(new TextSegment(plainStart, text[plainStart..], null));
        return segments;
    }

    AddedToken? MatchAt(string text, int i)
    {
        if (!candidatesByFirstChar.TryGetValue(text[i], out var candidates)) return null;
        foreach (var token in candidates)
        {
            int end = i + token.Content.Length;
            if (end > text.Length || string.CompareOrdinal(text, i, token.Content, 0, token.Content.Length) != 0) continue;
            if (token.SingleWord && (IsWordChar(text, i - 1) || IsWordChar(text, end))) continue;
            return token;
        }
        return null;
    }

    static bool IsWordChar(string text, int i) => i >= 0 && i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_');
}
