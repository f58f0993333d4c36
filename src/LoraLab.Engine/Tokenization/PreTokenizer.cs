using System.Text.RegularExpressions;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// One pre-tokenisation step of tokenizer.json: cuts a piece into smaller pieces (and may rewrite it).
/// <paramref name="atTextStart"/> is true only for a piece that begins the whole input, which
/// Metaspace's prepend_scheme "first" needs.
/// </summary>
internal delegate IEnumerable<string> PreTokenizeStep(string piece, bool atTextStart);

/// <summary>Hugging Face pre-tokenizers as a chain of steps; each step runs over every piece the previous one made.</summary>
internal sealed class PreTokenizer(IReadOnlyList<PreTokenizeStep> steps)
{
    /// <summary>The pattern of GPT-2's ByteLevel pre-tokenizer (use_regex = true).</summary>
    const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static readonly Lazy<Regex> gpt2Regex = new(() => RegexDialect.Compile(Gpt2Pattern));

    /// <summary>GPT-2's ByteLevel regex split, compiled once per process.</summary>
    public static PreTokenizeStep Gpt2Split() => RegexSplit(gpt2Regex.Value, keepMatches: true);

    public static PreTokenizer None { get; } = new([]);

    public IEnumerable<string> Split(string text, bool atTextStart)
    {
        IEnumerable<(string Piece, bool AtStart)> pieces = [(text, atTextStart)];
        foreach (var step in steps)
        {
            pieces = pieces.SelectMany(p => step(p.Piece, p.AtStart).Select((piece, i) => (piece, p.AtStart && i == 0))).ToList();
        }
        return pieces.Select(p => p.Piece).Where(p => p.Length > 0);
    }

    /// <summary>Split with behaviour Isolated (matches become pieces of their own) or Removed (matches are dropped).</summary>
    public static PreTokenizeStep RegexSplit(Regex regex, bool keepMatches) => (piece, _) => SplitByRegex(piece, regex, keepMatches);

    /// <summary>ByteLevel's add_prefix_space: a piece that does not start with a space gets one.</summary>
    public static PreTokenizeStep PrefixSpace() => (piece, _) => [piece.StartsWith(' ') ? piece : " " + piece];

    /// <summary>
    /// Metaspace: spaces become <paramref name="replacement"/>, which is also prepended (always, or only at the
    /// start of the input); with <paramref name="split"/> every replacement begins a new piece.
    /// </summary>
    public static PreTokenizeStep Metaspace(char replacement, bool prependAlways, bool prependFirst, bool split) => (piece, atTextStart) =>
    {
        string text = piece.Replace(' ', replacement);
        if ((prependAlways || (prependFirst && atTextStart)) && !text.StartsWith(replacement)) text = replacement + text;
        return split ? SplitBefore(text, replacement) : [text];
    };

    static IEnumerable<string> SplitByRegex(string piece, Regex regex, bool keepMatches)
    {
        int last = 0;
        for (var m = regex.Match(piece); m.Success; m = m.NextMatch())
        {
            if (m.Length == 0) continue;
            if (m.Index > last) yield return piece[last..m.Index];
            if (keepMatches) yield return m.Value;
            last = m.Index + m.Length;
        }
        if (last < piece.Length) yield return piece[last..];
    }

    static IEnumerable<string> SplitBefore(string text, char delimiter)
    {
        int start = 0;
        for (int i = 1; i < text.Length; i++)
        {
            if (text[i] != delimiter) continue;
            yield return text[start..i];
            start = i;
        }
        if (start < text.Length) yield return text[start..];
    }
}
