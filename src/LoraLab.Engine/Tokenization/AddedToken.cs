namespace LoraLab.Engine.Tokenization;

/// <summary>
/// A token matched verbatim in the text before any normalisation or pre-tokenisation (Hugging Face's
/// <c>added_tokens</c>). <paramref name="LStrip"/>/<paramref name="RStrip"/> make the match swallow the
/// whitespace on that side; <paramref name="SingleWord"/> matches only when not inside a word.
/// </summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false, bool SingleWord = false);
