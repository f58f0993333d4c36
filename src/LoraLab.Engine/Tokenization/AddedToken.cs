namespace LoraLab.Engine.Tokenization;

/// <summary>
/// A token matched verbatim in the text before pre-tokenisation (Hugging Face's <c>added_tokens</c>).
/// <paramref name="LStrip"/>/<paramref name="RStrip"/> make the match swallow the whitespace on that side;
/// <paramref name="SingleWord"/> matches only when not inside a word. A <paramref name="Normalized"/> token is
/// looked for in the normalised text (so "café" also matches a decomposed "cafe\u0301"); the others, special
/// tokens as a rule, in the raw text before anything touches it.
/// </summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false, bool SingleWord = false,
    bool Normalized = false);
