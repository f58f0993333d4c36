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
    readonly ITextTokenizer tokenizer;
    readonly PipelineTokenizer? byteTokenizer;
    readonly bool skipSpecialTokens;
    readonly List<byte> pending = [];
    readonly List<int> ids = [];
    bool emittedAny;
    int emittedLength;

    /// <param name="tokenizer">
    /// Any tokenizer; one made by <see cref="TokenizerLoader"/> is followed byte by byte, any other is re-decoded
    /// from the first id on each push (quadratic, meant for test doubles).
    /// </param>
    public TokenStreamDecoder(ITextTokenizer tokenizer, bool skipSpecialTokens = true)
    {
        this.tokenizer = tokenizer;
        byteTokenizer = tokenizer as PipelineTokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>The text completed by this token; empty while a character is still unfinished.</summary>
    public string Push(int id)
    {
        if (byteTokenizer is null) return PushByRedecoding(id);
        byteTokenizer.AppendBytes(id, skipSpecialTokens, pending);
        return Emit(CompletePrefixLength());
    }

    /// <summary>Whatever is held back, unfinished characters shown as U+FFFD as <see cref="ITextTokenizer.Decode"/> does.</summary>
    public string Flush()
    {
        if (byteTokenizer is not null) return Emit(pending.Count);
        string text = tokenizer.Decode(ids, skipSpecialTokens);
        string rest = text.Length > emittedLength ? text[emittedLength..] : "";
        emittedLength = text.Length;
        return rest;
    }

    string PushByRedecoding(int id)
    {
        ids.Add(id);
        string text = tokenizer.Decode(ids, skipSpecialTokens);
        if (text.EndsWith('\uFFFD') || text.Length <= emittedLength) return "";
        string added = text[emittedLength..];
        emittedLength = text.Length;
        return added;
    }

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
        if (!emittedAny && byteTokenizer!.DecodeStripsLeadingSpace && text.StartsWith(' ')) text = text[1..];
        emittedAny = true;
        return text;
    }
}
