using System.Text.Json;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// The <c>tokenizer.ggml.pre</c> name llama.cpp knows for a tokenizer.json pre-tokenizer. convert_hf_to_gguf.py's
/// <c>get_vocab_base_pre</c> picks it by hashing the ids the tokenizer gives a fixed test string; without Python we
/// recognise the split regex instead (the pattern is what decides how llama.cpp splits words):
/// ByteLevel with its own regex → "gpt-2" (GPT-2's pattern); a Split with Llama 3's pattern → "llama-bpe"; with
/// Qwen2's (digits one at a time) → "qwen2"; Digits(individual) before a regex ByteLevel → "smollm".
/// </summary>
public static class GgufPreTokenizer
{
    const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static string Recognise(JsonElement? preTokenizer, string source)
    {
        var steps = preTokenizer is { ValueKind: JsonValueKind.Object } p && p.Type() == "Sequence" && p.Member("pretokenizers") is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().ToList()
            : preTokenizer is { ValueKind: JsonValueKind.Object } single ? [single] : [];
        string[] types = steps.Select(s => s.Type() ?? "?").ToArray();
        if (types is ["ByteLevel"] && steps[0].Bool("use_regex", true)) return "gpt-2";
        if (types is ["Digits", "ByteLevel"] && steps[0].Bool("individual_digits", false) && steps[1].Bool("use_regex", true)) return "smollm";
        if (types is ["Split", "ByteLevel"] && !steps[1].Bool("use_regex", true))
        {
            string? pattern = steps[0].Member("pattern")?.String("Regex");
            if (pattern == Llama3Pattern) return "llama-bpe";
            if (pattern == Qwen2Pattern) return "qwen2";
        }
        string described = preTokenizer is { } known ? known.GetRawText() : "none";
        throw new NotSupportedException(
            $"{source}: the pre-tokenizer {(described.Length > 300 ? described[..300] + "…" : described)} is not one llama.cpp is known to reproduce (gpt-2, llama-bpe, qwen2, smollm).");
    }
}
