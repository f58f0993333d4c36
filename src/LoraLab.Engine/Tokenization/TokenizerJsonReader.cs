using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Reads a Hugging Face tokenizer.json with a BPE model: byte-level (GPT-2, SmolLM, Qwen, Llama 3) or
/// SentencePiece-converted with '▁' and byte fallback (Llama 2, Mistral, TinyLlama).
/// </summary>
internal static class TokenizerJsonReader
{
    public static TokenizerSpec Read(string path)
    {
        using var document = JsonFile.Parse(path, JsonFile.MaxTokenizerBytes);
        return JsonFile.Reading(path, () => Read(document.RootElement, path));
    }

    static TokenizerSpec Read(JsonElement root, string path)
    {
        var model = root.Required("model", path);
        string type = model.Type() ?? (model.Member("merges") is null ? "unknown" : "BPE");
        if (type != "BPE") throw new NotSupportedException($"{path}: model type '{type}' is not supported; supported: BPE");

        var vocabulary = ReadVocabulary(model.Required("vocab", path), path);
        var merges = ReadMerges(model.Member("merges"), path);
        var addedTokens = ReadAddedTokens(root.Member("added_tokens"), path);
        var preTokenizer = root.Member("pre_tokenizer");
        var decoder = root.Member("decoder");
        bool byteLevel = HasType(preTokenizer, "ByteLevel") || HasType(decoder, "ByteLevel");
        var (prefix, suffix) = ReadPostProcessor(root.Member("post_processor"), path);

        return new TokenizerSpec
        {
            SourceFile = path,
            Model = byteLevel ? ByteLevelModel(model, vocabulary, merges) : CharacterModel(model, vocabulary, merges, path),
            AddedTokens = addedTokens,
            Normalize = ReadNormalizer(root.Member("normalizer"), path),
            PreTokenizer = new PreTokenizer(ReadPreTokenizer(preTokenizer, path)),
            PrefixIds = prefix,
            SuffixIds = suffix,
            DecodeStripsLeadingSpace = !byteLevel && DecoderStripsLeadingSpace(decoder, path),
        };
    }

    static ByteLevelBpeModel ByteLevelModel(JsonElement model, Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges)
    {
        return new ByteLevelBpeModel(vocabulary, merges.Select(m => $"{m.Left} {m.Right}"), model.Bool("ignore_merges", false));
    }

    static CharacterBpeModel CharacterModel(JsonElement model, Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges, string path)
    {
        var ranked = new Dictionary<(int, int), (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocabulary.TryGetValue(left, out int leftId) || !vocabulary.TryGetValue(right, out int rightId) || !vocabulary.TryGetValue(left + right, out int merged))
                throw new InvalidDataException($"{path}: merge #{rank} '{left} {right}' uses a token that is not in model.vocab");
            ranked.TryAdd((leftId, rightId), (rank, merged));
        }
        int? unknownId = model.String("unk_token") is string unk && vocabulary.TryGetValue(unk, out int id) ? id : null;
        return new CharacterBpeModel(vocabulary, ranked, model.Bool("byte_fallback", false), unknownId, path);
    }

    static Dictionary<string, int> ReadVocabulary(JsonElement vocab, string path)
    {
        if (vocab.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: model.vocab must be an object of token → id");
        var vocabulary = new Dictionary<string, int>(capacity: 1024, StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject()) vocabulary[entry.Name] = entry.Value.GetInt32();
        return vocabulary;
    }

    /// <summary>Merges come as "left right" strings or, in newer files, as ["left", "right"] pairs.</summary>
    static List<(string Left, string Right)> ReadMerges(JsonElement? merges, string path)
    {
        var pairs = new List<(string, string)>();
        if (merges is null) return pairs;
        foreach (var merge in merges.Value.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.Array)
            {
                if (merge.GetArrayLength() != 2 || merge[0].ValueKind != JsonValueKind.String || merge[1].ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"{path}: merge {merge.GetRawText()} is not a pair [\"left\", \"right\"]");
                pairs.Add((merge[0].GetString()!, merge[1].GetString()!));
                continue;
            }
            string text = merge.ValueKind == JsonValueKind.String ? merge.GetString()! : merge.GetRawText();
            int space = text.IndexOf(' ');
            if (space <= 0 || space != text.LastIndexOf(' ')) throw new InvalidDataException($"{path}: merge '{text}' is not a pair 'left right'");
            pairs.Add((text[..space], text[(space + 1)..]));
        }
        return pairs;
    }

    static List<AddedToken> ReadAddedTokens(JsonElement? tokens, string path)
    {
        var added = new List<AddedToken>();
        if (tokens is null) return added;
        foreach (var token in tokens.Value.EnumerateArray())
        {
            bool special = token.Bool("special", false);
            // Hugging Face's default: a token is normalised unless it is special.
            added.Add(new AddedToken(
                token.Required("id", path).GetInt32(),
                token.String("content") ?? throw new InvalidDataException($"{path}: an added token has no 'content'"),
                special, token.Bool("lstrip", false), token.Bool("rstrip", false), token.Bool("single_word", false), token.Bool("normalized", !special)));
        }
        return added;
    }

    static Func<string, string> ReadNormalizer(JsonElement? normalizer, string path)
    {
        if (normalizer is not JsonElement n) return text => text;
        switch (n.Type())
        {
            case "Sequence":
                var steps = n.Required("normalizers", path).EnumerateArray().Select(step => ReadNormalizer(step, path)).ToList();
                return text => steps.Aggregate(text, (current, step) => step(current));
            case "NFC": return text => text.Normalize(NormalizationForm.FormC);
            case "NFD": return text => text.Normalize(NormalizationForm.FormD);
            case "NFKC": return text => text.Normalize(NormalizationForm.FormKC);
            case "NFKD": return text => text.Normalize(NormalizationForm.FormKD);
            case "Lowercase": return text => text.ToLowerInvariant();
            case "Prepend":
                string prepend = n.String("prepend") ?? "";
                return text => text.Length == 0 ? text : prepend + text;
            case "Replace":
                var pattern = ReadPattern(n, path);
                string content = n.String("content") ?? "";
                return text => pattern.Replace(text, content.Replace("$", "$$"));
            default:
                throw new NotSupportedException($"{path}: normalizer type '{n.Type()}' is not supported; supported: Sequence, NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace");
        }
    }

    static List<PreTokenizeStep> ReadPreTokenizer(JsonElement? preTokenizer, string path)
    {
        if (preTokenizer is not JsonElement p) return [];
        switch (p.Type())
        {
            case "Sequence":
                return p.Required("pretokenizers", path).EnumerateArray().SelectMany(step => ReadPreTokenizer(step, path)).ToList();
            case "ByteLevel":
                var steps = new List<PreTokenizeStep>();
                if (p.Bool("add_prefix_space", true)) steps.Add(PreTokenizer.PrefixSpace());
                if (p.Bool("use_regex", true)) steps.Add(PreTokenizer.Gpt2Split());
                return steps;
            case "Split":
                if (p.Bool("invert", false)) throw new NotSupportedException($"{path}: pre_tokenizer Split with invert = true is not supported");
                bool keep = p.String("behavior") switch
                {
                    "Isolated" => true,
                    "Removed" => false,
                    var other => throw new NotSupportedException($"{path}: pre_tokenizer Split behavior '{other}' is not supported; supported: Isolated, Removed"),
                };
                return [PreTokenizer.RegexSplit(ReadPattern(p, path), keep)];
            case "Digits":
                string digits = p.Bool("individual_digits", false) ? @"\p{N}" : @"\p{N}+";
                return [PreTokenizer.RegexSplit(RegexDialect.Compile(digits), keepMatches: true)];
            case "WhitespaceSplit":
                return [PreTokenizer.RegexSplit(RegexDialect.Compile(@"\s+"), keepMatches: false)];
            case "Metaspace":
                char replacement = p.String("replacement") is { Length: 1 } r ? r[0] : CharacterBpeModel.SpaceMark;
                string scheme = p.String("prepend_scheme") ?? (p.Bool("add_prefix_space", true) ? "always" : "never");
                return [PreTokenizer.Metaspace(replacement, scheme == "always", scheme == "first", p.Bool("split", true))];
            default:
                throw new NotSupportedException($"{path}: pre_tokenizer type '{p.Type()}' is not supported; supported: Sequence, ByteLevel, Split, Digits, WhitespaceSplit, Metaspace");
        }
    }

    /// <summary>A Split or Replace pattern: <c>{"String": literal}</c> or <c>{"Regex": pattern}</c>.</summary>
    static Regex ReadPattern(JsonElement owner, string path)
    {
        var pattern = owner.Required("pattern", path);
        if (pattern.String("String") is string literal) return new Regex(Regex.Escape(literal), RegexOptions.CultureInvariant);
        if (pattern.String("Regex") is string regex)
        {
            try { return RegexDialect.Compile(regex); }
            catch (ArgumentException e) { throw new NotSupportedException($"{path}: the regex {JsonSerializer.Serialize(regex)} cannot be compiled ({e.Message})", e); }
        }
        throw new InvalidDataException($"{path}: a pattern must be {{\"String\": …}} or {{\"Regex\": …}}");
    }

    static (List<int> Prefix, List<int> Suffix) ReadPostProcessor(JsonElement? postProcessor, string path)
    {
        if (postProcessor is not JsonElement p) return ([], []);
        switch (p.Type())
        {
            case "ByteLevel":
                return ([], []);
            case "Sequence":
                var parts = p.Required("processors", path).EnumerateArray().Select(step => ReadPostProcessor(step, path)).ToList();
                return (parts.SelectMany(x => x.Prefix).ToList(), parts.SelectMany(x => x.Suffix).ToList());
            case "RobertaProcessing" or "BertProcessing":
                return ([p.Required("cls", path)[1].GetInt32()], [p.Required("sep", path)[1].GetInt32()]);
            case "TemplateProcessing":
                var prefix = new List<int>();
                var suffix = new List<int>();
                bool seenSequence = false;
                var specialTokens = p.Member("special_tokens");
                foreach (var item in p.Required("single", path).EnumerateArray())
                {
                    if (item.Member("Sequence") is not null) { seenSequence = true; continue; }
                    string name = item.Required("SpecialToken", path).String("id") ?? "";
                    var ids = specialTokens?.Member(name)?.Member("ids")
                        ?? throw new InvalidDataException($"{path}: post_processor uses special token '{name}' that is not in its special_tokens");
                    (seenSequence ? suffix : prefix).AddRange(ids.EnumerateArray().Select(id => id.GetInt32()));
                }
                return (prefix, suffix);
            default:
                throw new NotSupportedException($"{path}: post_processor type '{p.Type()}' is not supported; supported: TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence");
        }
    }

    /// <summary>SentencePiece-converted decoders end in Strip(' ', start 1) or are a Metaspace that prepends.</summary>
    static bool DecoderStripsLeadingSpace(JsonElement? decoder, string path)
    {
        if (decoder is not JsonElement d) return false;
        return d.Type() switch
        {
            "Sequence" => d.Required("decoders", path).EnumerateArray().Any(step => DecoderStripsLeadingSpace(step, path)),
            "Strip" => d.String("content") == " " && d.Member("start")?.GetInt32() > 0,
            "Metaspace" => (d.String("prepend_scheme") ?? (d.Bool("add_prefix_space", true) ? "always" : "never")) != "never",
            "Replace" or "ByteFallback" or "Fuse" => false,
            var other => throw new NotSupportedException($"{path}: decoder type '{other}' is not supported; supported: ByteLevel, Metaspace, Sequence, Replace, ByteFallback, Fuse, Strip"),
        };
    }

    static bool HasType(JsonElement? element, string type)
    {
        if (element is not JsonElement e) return false;
        if (e.Type() == type) return true;
        return e.ValueKind == JsonValueKind.Object && e.EnumerateObject()
            .Any(member => member.Value.ValueKind == JsonValueKind.Array && member.Value.EnumerateArray().Any(child => HasType(child, type)));
    }
}
