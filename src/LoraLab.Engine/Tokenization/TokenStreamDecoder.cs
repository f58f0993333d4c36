using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Turns generated ids into text as they arrive. Tokens are byte sequences, and a character (an emoji, a
/// CJK character spelled in byte-fallback tokens) may span several of them, so bytes are held back until
/// the character they start is complete. Concatenating every <see cref="Push"/> and the final
/// <see cref="Flush"/> gives exactly <see cref="ITextTokenizer.Decode"/> of all the ids.
/// </summary>
public sealed class TokenStreamDecoder
{
    readonly PipelineTokenizer tokenizer;
    readonly bool skipSpecialTokens;
    readonly List<byte> pending = [];
    bool emittedAny;

    /// <param name="tokenizer">A tokenizer made by <see cref="TokenizerLoader"/>.</param>
    public TokenStreamDecoder(ITextTokenizer tokenizer, bool skipSpecialTokens = true)
    {
        this.tokenizer = tokenizer as PipelineTokenizer
            ?? throw new ArgumentException($"TokenStreamDecoder needs a tokenizer made by {nameof(TokenizerLoader)}, not {tokenizer.GetType().Name}", nameof(tokenizer));
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>The text completed by this token; empty while a character is still unfinished.</summary>
    public string Push(int id)
    {
        tokenizer.AppendBytes(id, skipSpecialTokens, pending);
        return Emit(CompletePrefixLength());
    }

    /// <summary>Whatever is held back, unfinished characters shown as U+FFFD as <see cref="ITextTokenizer.Decode"/> does.</summary>
    public string Flush() => Emit(pending.Count);

    /// <summary>
    /// Bytes up to the last character that is finished. Invalid bytes count as finished (they decode to U+FFFD
    /// either way); only a valid start whose continuation bytes have not arrived yet is held back.
    /// </summary>
    int CompletePrefixLength()
    {
        var bytes = CollectionsMarshal.AsSpan(pending);
        int length = 0;
        while (length < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes[length..], out _, out int consumed);
            if (status == OperationStatus.NeedMoreData) break;
            length += consumed;
        }
        return length;
    }

    string Emit(int byteCount)
    {
        if (byteCount == 0) return "";
        string text = Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(pending)[..byteCount]);
        pending.RemoveRange(0, byteCount);
        if (!emittedAny && tokenizer.DecodeStripsLeadingSpace && text.StartsWith(' ')) text = text[1..];
        emittedAny = true;
        return text;
    }
}
