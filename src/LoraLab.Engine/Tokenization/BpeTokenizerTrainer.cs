using System.Text.Encodings.Web;
using System.Text.Json;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Trains a GPT-2 style byte-level BPE on a corpus and writes it as a Hugging Face tokenizer.json: special
/// tokens take the first ids, the 256 bytes the next, then one token per merge. Each round merges the most
/// frequent adjacent pair (ties: the lowest ids) until the vocabulary is full or no pair is left.
/// </summary>
public static class BpeTokenizerTrainer
{
    public static void TrainToFile(IEnumerable<string> corpus, int vocabSize, IReadOnlyList<string> specialTokens, string tokenizerJsonPath)
    {
        int minimum = specialTokens.Count + 256;
        if (vocabSize < minimum)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"vocabSize must be at least {minimum}: the {specialTokens.Count} special tokens and the 256 bytes");
        if (specialTokens.Any(string.IsNullOrEmpty) || specialTokens.Distinct().Count() != specialTokens.Count)
            throw new ArgumentException("special tokens must be distinct and not empty", nameof(specialTokens));

        var tokens = new List<string>(specialTokens);
        tokens.AddRange(Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.CharFor((byte)b).ToString()));
        var idOf = tokens.Select((token, id) => (token, id)).ToDictionary(t => t.token, t => t.id, StringComparer.Ordinal);

        var words = CountWords(corpus, specialTokens).Select(w => new Word(w.Key.Select(c => idOf[c.ToString()]).ToList(), w.Value)).ToList();
        var merges = new List<(string Left, string Right)>();
        while (tokens.Count < vocabSize && MostFrequentPair(words) is (int left, int right))
        {
            string merged = tokens[left] + tokens[right];
            if (!idOf.TryGetValue(merged, out int mergedId))
            {
                mergedId = tokens.Count;
                tokens.Add(merged);
                idOf[merged] = mergedId;
            }
            merges.Add((tokens[left], tokens[right]));
            foreach (var word in words) word.Merge(left, right, mergedId);
        }

        WriteTokenizerJson(tokenizerJsonPath, tokens, merges, specialTokens.Count);
    }

    sealed record Word(List<int> Symbols, int Count)
    {
        public void Merge(int left, int right, int merged)
        {
            for (int i = 0; i < Symbols.Count - 1; i++)
            {
                if (Symbols[i] != left || Symbols[i + 1] != right) continue;
                Symbols[i] = merged;
                Symbols.RemoveAt(i + 1);
            }
        }
    }

    /// <summary>Pre-tokenised pieces as GPT-2's ByteLevel pre-tokenizer cuts them, in byte-level spelling, with counts.</summary>
    static Dictionary<string, int> CountWords(IEnumerable<string> corpus, IReadOnlyList<string> specialTokens)
    {
        var splitter = new AddedTokenSplitter(specialTokens.Select((t, id) => new AddedToken(id, t, Special: true)));
        var preTokenizer = new PreTokenizer([PreTokenizer.Gpt2Split()]);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string text in corpus)
        {
            foreach (var segment in splitter.Split(text).Where(s => s.Token is null))
            {
                foreach (string piece in preTokenizer.Split(segment.Text, atTextStart: false))
                {
                    string word = ByteLevelAlphabet.Encode(piece);
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                }
            }
        }
        return counts;
    }

    static (int Left, int Right)? MostFrequentPair(List<Word> words)
    {
        var counts = new Dictionary<(int, int), long>();
        foreach (var word in words)
        {
            for (int i = 0; i < word.Symbols.Count - 1; i++)
            {
                var pair = (word.Symbols[i], word.Symbols[i + 1]);
                counts[pair] = counts.GetValueOrDefault(pair) + word.Count;
            }
        }
        if (counts.Count == 0) return null;
        return counts.MaxBy(c => (c.Value, -c.Key.Item1, -c.Key.Item2)).Key;
    }

    static void WriteTokenizerJson(string path, List<string> tokens, List<(string Left, string Right)> merges, int specialCount)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        for (int id = 0; id < specialCount; id++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("content", tokens[id]);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("normalizer");
        WriteByteLevel(json, "pre_tokenizer", trimOffsets: true);
        WriteByteLevel(json, "post_processor", trimOffsets: false);
        WriteByteLevel(json, "decoder", trimOffsets: true);
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteStartObject("vocab");
        for (int id = 0; id < tokens.Count; id++) json.WriteNumber(tokens[id], id);
        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach (var (left, right) in merges) json.WriteStringValue($"{left} {right}");
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    static void WriteByteLevel(Utf8JsonWriter json, string name, bool trimOffsets)
    {
        json.WriteStartObject(name);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("trim_offsets", trimOffsets);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
    }
}
