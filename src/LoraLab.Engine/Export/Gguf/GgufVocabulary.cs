using System.Text.Json;
using LoraLab.Engine.Files;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// The <c>tokenizer.ggml.*</c> metadata of a model folder, read from its raw tokenizer files as convert_hf_to_gguf.py
/// reads them: byte-level BPE tokenizer.json → model "gpt2" with merges; SentencePiece tokenizer.model → model "llama"
/// with scores. Token types are llama.cpp's (1 normal, 3 control, 4 user-defined, 5 unused, 6 byte).
/// </summary>
public static class GgufVocabulary
{
    const int Normal = 1, Control = 3, UserDefined = 4, Unused = 5;

    public static void Add(GgufMetadata metadata, string modelDirectory, ModelConfig config)
    {
        string json = Path.Combine(modelDirectory, "tokenizer.json");
        string sentencePiece = Path.Combine(modelDirectory, "tokenizer.model");
        List<string> tokens;
        if (File.Exists(json) && IsByteLevelBpe(json, out var pre))
        {
            tokens = AddByteLevelBpe(metadata, json, pre, config.VocabSize);
        }
        else if (File.Exists(sentencePiece))
        {
            tokens = AddSentencePiece(metadata, sentencePiece, config.VocabSize);
        }
        else
        {
            throw new NotSupportedException(File.Exists(json)
                ? $"{json}: only byte-level BPE tokenizer.json files (and SentencePiece tokenizer.model) can be written to GGUF; this one is of another kind ({ModelKind(json)})."
                : $"{modelDirectory} has neither tokenizer.json nor tokenizer.model, so there is no tokenizer to embed in the GGUF file.");
        }
        AddSpecialTokens(metadata, modelDirectory, config, tokens);
    }

    static string ModelKind(string path)
    {
        using var document = JsonFile.Parse(path, JsonFile.MaxTokenizerBytes);
        var model = document.RootElement.Member("model");
        if (model?.Type() == "BPE" && model.Value.Bool("byte_fallback", false))
            return "BPE with byte_fallback, a converted SentencePiece vocabulary: put its tokenizer.model beside it";
        return model?.Type() ?? "no model type";
    }

    static bool IsByteLevelBpe(string path, out string preName)
    {
        using var document = JsonFile.Parse(path, JsonFile.MaxTokenizerBytes);
        var root = document.RootElement;
        preName = "";
        if (root.Member("model")?.Type() != "BPE" || root.Member("decoder")?.Type() is not ("ByteLevel" or null) || root.Member("model")?.Bool("byte_fallback", false) == true)
            return false;
        preName = GgufPreTokenizer.Recognise(root.Member("pre_tokenizer"), path);
        return true;
    }

    static List<string> AddByteLevelBpe(GgufMetadata metadata, string path, string preName, int vocabSize)
    {
        using var document = JsonFile.Parse(path, JsonFile.MaxTokenizerBytes);
        var root = document.RootElement;
        var model = root.Required("model", path);
        var byId = new Dictionary<int, (string Text, int Type)>();
        foreach (var entry in model.Required("vocab", path).EnumerateObject()) byId[entry.Value.GetInt32()] = (entry.Name, Normal);
        if (root.Member("added_tokens") is { ValueKind: JsonValueKind.Array } added)
            foreach (var token in added.EnumerateArray())
                byId[token.GetProperty("id").GetInt32()] = (token.GetProperty("content").GetString()!, token.Bool("special", false) ? Control : UserDefined);
        var (tokens, types) = Dense(byId, vocabSize, path);
        var merges = new List<string>();
        if (model.Member("merges") is { ValueKind: JsonValueKind.Array } list)
            foreach (var merge in list.EnumerateArray())
                merges.Add(merge.ValueKind == JsonValueKind.Array ? $"{merge[0].GetString()} {merge[1].GetString()}" : merge.GetString()!);
        metadata.String("tokenizer.ggml.model", "gpt2").String("tokenizer.ggml.pre", preName)
            .Strings("tokenizer.ggml.tokens", tokens).Int32s("tokenizer.ggml.token_type", types).Strings("tokenizer.ggml.merges", merges);
        return tokens;
    }

    static List<string> AddSentencePiece(GgufMetadata metadata, string path, int vocabSize)
    {
        var pieces = SentencePieceModelReader.ReadPieces(path);
        var byId = pieces.Select((p, id) => (id, p)).ToDictionary(x => x.id, x => (x.p.Text, x.p.Type));
        var (tokens, types) = Dense(byId, vocabSize, path);
        var scores = Enumerable.Range(0, tokens.Count).Select(id => id < pieces.Count ? pieces[id].Score : -1000f).ToList();
        metadata.String("tokenizer.ggml.model", "llama").String("tokenizer.ggml.pre", "default")
            .Strings("tokenizer.ggml.tokens", tokens).Float32s("tokenizer.ggml.scores", scores).Int32s("tokenizer.ggml.token_type", types);
        return tokens;
    }

    /// <summary>
    /// Tokens by id, padded to the model's vocab_size with "[PAD{id}]" tokens of type unused, as convert_hf_to_gguf.py
    /// pads them: llama.cpp requires one token per row of token_embd.
    /// </summary>
    static (List<string> Tokens, List<int> Types) Dense(Dictionary<int, (string Text, int Type)> byId, int vocabSize, string path)
    {
        int count = Math.Max(vocabSize, byId.Count == 0 ? 0 : byId.Keys.Max() + 1);
        if (count > vocabSize)
            throw new InvalidDataException($"{path} has ids up to {count - 1}, but config.json's vocab_size is {vocabSize}: the embedding has no row for them.");
        var tokens = new List<string>(count);
        var types = new List<int>(count);
        for (int id = 0; id < count; id++)
        {
            var (text, type) = byId.TryGetValue(id, out var token) ? token : ($"[PAD{id}]", Unused);
            tokens.Add(text);
            types.Add(type);
        }
        return (tokens, types);
    }

    /// <summary>
    /// BOS, EOS and padding ids and the add-BOS/EOS switches: tokenizer_config.json's token texts first, then config.json's
    /// ids (gguf-py's SpecialVocab looks in the same places); the chat template raw, for llama.cpp's chat formatting.
    /// </summary>
    static void AddSpecialTokens(GgufMetadata metadata, string modelDirectory, ModelConfig config, List<string> tokens)
    {
        var tokenizerConfig = TokenizerConfig.Read(modelDirectory);
        int? IdOf(string? text) => text is null ? null : tokens.IndexOf(text) is var i and >= 0 ? i : null;
        int? bos = IdOf(tokenizerConfig.BosToken) ?? config.BosTokenId;
        int? eos = IdOf(tokenizerConfig.EosToken) ?? (config.EosTokenIds.Count > 0 ? config.EosTokenIds[0] : null);
        int? pad = IdOf(tokenizerConfig.PadToken) ?? config.PadTokenId;
        if (bos is int b) metadata.UInt32("tokenizer.ggml.bos_token_id", (uint)b);
        if (eos is int e) metadata.UInt32("tokenizer.ggml.eos_token_id", (uint)e);
        if (pad is int p) metadata.UInt32("tokenizer.ggml.padding_token_id", (uint)p);
        // The engine's tokenizer decides whether BOS/EOS are added (tokenizer_config.json or the post-processor template).
        var tokenizer = TokenizerLoader.Load(modelDirectory);
        var plain = tokenizer.Encode("a", addSpecialTokens: false);
        var framed = tokenizer.Encode("a", addSpecialTokens: true);
        bool addsBos = framed.Count > plain.Count && tokenizer.BosId is int bosId && framed[0] == bosId;
        bool addsEos = framed.Count > plain.Count && tokenizer.EosIds.Contains(framed[^1]);
        metadata.Bool("tokenizer.ggml.add_bos_token", tokenizerConfig.AddBosToken ?? addsBos);
        metadata.Bool("tokenizer.ggml.add_eos_token", tokenizerConfig.AddEosToken ?? addsEos);
        if (ChatTemplateText(modelDirectory, tokenizerConfig) is { } template) metadata.String("tokenizer.chat_template", template);
    }

    internal static string? ChatTemplateText(string modelDirectory, TokenizerConfig tokenizerConfig)
    {
        if (tokenizerConfig.ChatTemplate is { } inline) return inline;
        string file = Path.Combine(modelDirectory, "chat_template.jinja");
        return File.Exists(file)
            ? UntrustedFile.ReadAllText(file, UntrustedFile.MaxConfigBytes, problem => new InvalidDataException($"{file}: {problem}"))
            : null;
    }
}
