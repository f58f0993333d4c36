using System.Text.Json;

namespace LoraLab.Engine.Tokenization;

/// <summary>What tokenizer_config.json says about special tokens and chat formatting; every field is optional.</summary>
internal sealed record TokenizerConfig(
    string? Path,
    bool? AddBosToken,
    bool? AddEosToken,
    string? BosToken,
    string? EosToken,
    string? PadToken,
    string? UnkToken,
    IReadOnlyList<AddedToken> AddedTokens,
    string? ChatTemplate)
{
    public const string FileName = "tokenizer_config.json";

    public static TokenizerConfig Read(string modelDirectory)
    {
        string path = System.IO.Path.Combine(modelDirectory, FileName);
        if (!File.Exists(path)) return new TokenizerConfig(null, null, null, null, null, null, null, [], null);
        using var document = JsonFile.Parse(path);
        return JsonFile.Reading(path, () => FromJson(document.RootElement, path));
    }

    static TokenizerConfig FromJson(JsonElement root, string path)
    {
        return new TokenizerConfig(
            path,
            root.OptionalBool("add_bos_token"),
            root.OptionalBool("add_eos_token"),
            TokenContent(root.Member("bos_token")),
            TokenContent(root.Member("eos_token")),
            TokenContent(root.Member("pad_token")),
            TokenContent(root.Member("unk_token")),
            ReadAddedTokensDecoder(root.Member("added_tokens_decoder"), path),
            ReadChatTemplate(root.Member("chat_template")));
    }

    /// <summary>The eos_token_id of generation_config.json or config.json: one id, a list, or nothing.</summary>
    public static IReadOnlyList<int> ReadEosIds(string modelDirectory, string fileName)
    {
        string path = System.IO.Path.Combine(modelDirectory, fileName);
        if (!File.Exists(path)) return [];
        using var document = JsonFile.Parse(path);
        return JsonFile.Reading<IReadOnlyList<int>>(path, () => document.RootElement.Member("eos_token_id") switch
        {
            { ValueKind: JsonValueKind.Number } id => [id.GetInt32()],
            { ValueKind: JsonValueKind.Array } ids => ids.EnumerateArray().Select(id => id.GetInt32()).ToList(),
            null => [],
            { } other => throw new InvalidDataException($"{path}: eos_token_id must be an id or a list of ids, not {other.GetRawText()}"),
        });
    }

    /// <summary>A special token is written as its text or as an AddedToken object with "content".</summary>
    static string? TokenContent(JsonElement? token) => token switch
    {
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.Object } added => added.String("content"),
        _ => null,
    };

    static List<AddedToken> ReadAddedTokensDecoder(JsonElement? decoder, string path)
    {
        var tokens = new List<AddedToken>();
        if (decoder is not { ValueKind: JsonValueKind.Object } entries) return tokens;
        foreach (var entry in entries.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, out int id) || id is < 0 or >= TokenizerSpec.MaxIds)
                throw new InvalidDataException($"{path}: added_tokens_decoder key '{entry.Name}' is not a token id within [0, {TokenizerSpec.MaxIds})");
            string content = entry.Value.String("content") ?? throw new InvalidDataException($"{path}: added_tokens_decoder[{id}] has no 'content'");
            bool special = entry.Value.Bool("special", false);
            tokens.Add(new AddedToken(id, content, special, entry.Value.Bool("lstrip", false), entry.Value.Bool("rstrip", false),
                entry.Value.Bool("single_word", false), entry.Value.Bool("normalized", !special)));
        }
        return tokens;
    }

    /// <summary>A jinja string, or a list of named templates of which "default" is the one used for chat.</summary>
    static string? ReadChatTemplate(JsonElement? template) => template switch
    {
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.Array } named => named.EnumerateArray()
            .OrderByDescending(t => t.String("name") == "default")
            .Select(t => t.String("template"))
            .FirstOrDefault(),
        _ => null,
    };
}
