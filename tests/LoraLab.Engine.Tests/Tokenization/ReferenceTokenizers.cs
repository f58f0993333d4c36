using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>
/// The real tokenizers of Fixtures/tokenizers (see its README) with the tokenizations Hugging Face's own library
/// gave for them (Tokenization/reference/make-cases.mjs). A family is a folder holding its tokenizer files
/// (gzipped here, or taken from ../shared/fixtures when they already are there) or a variant.json: a base family
/// with some tokenizer.json members replaced, which is how pipelines whose vocabularies are not to be had here
/// (Mistral v0.3, SmolLM2) are checked on a vocabulary that is.
/// </summary>
internal static class ReferenceTokenizers
{
    public static readonly string[] Families =
    [
        "llama3", "qwen3", "qwen2_5", "deepseek-v3", "mistral-v0.1", "mistral-v0.3-style", "smollm2-style",
        "mistral-v0.1-added-token-flags", "qwen3-added-token-flags",
    ];

    public sealed record Case(string Text, int[] Ids, int[] IdsWithSpecialTokens, string Decoded, string DecodedSkippingSpecial);

    static readonly ConcurrentDictionary<string, Lazy<ITextTokenizer>> tokenizers = new();
    static readonly ConcurrentDictionary<string, IReadOnlyList<Case>> cases = new();

    static string FixturesRoot => Path.Combine(RepositoryFolder.Root, "tests", "LoraLab.Engine.Tests", "Fixtures", "tokenizers");

    public static ITextTokenizer Tokenizer(string family) =>
        tokenizers.GetOrAdd(family, f => new Lazy<ITextTokenizer>(() => TokenizerLoader.Load(ModelFolder(f)))).Value;

    public static IReadOnlyList<Case> Cases(string family) => cases.GetOrAdd(family, f =>
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(FixturesRoot, f, "cases.json")));
        static int[] Ids(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(id => id.GetInt32()).ToArray();
        return document.RootElement.EnumerateArray().Select(c => new Case(
            c.GetProperty("text").GetString()!, Ids(c, "ids"), Ids(c, "ids_with_special_tokens"),
            c.GetProperty("decoded").GetString()!, c.GetProperty("decoded_skipping_special").GetString()!)).ToList();
    });

    /// <summary>Every (family, case number) pair, for theories that check one case per row.</summary>
    public static TheoryData<string, int> AllCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string family in Families)
            for (int i = 0; i < Cases(family).Count; i++) data.Add(family, i);
        return data;
    }

    /// <summary>A model folder with the family's tokenizer.json and tokenizer_config.json, written under the test binaries.</summary>
    public static string ModelFolder(string family)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "reference-tokenizers", family);
        Directory.CreateDirectory(folder);
        var (tokenizer, config) = Files(family);
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer);
        if (config is not null) File.WriteAllText(Path.Combine(folder, TokenizerConfig.FileName), config);
        return folder;
    }

    static (string Tokenizer, string? Config) Files(string family)
    {
        string own = Path.Combine(FixturesRoot, family);
        string variantFile = Path.Combine(own, "variant.json");
        if (!File.Exists(variantFile))
        {
            string tokenizer = ReadOwnOrShared(own, family, "tokenizer.json") ?? throw new FileNotFoundException($"no tokenizer.json for {family}");
            return (tokenizer, ReadOwnOrShared(own, family, TokenizerConfig.FileName));
        }

        var variant = JsonNode.Parse(File.ReadAllText(variantFile))!.AsObject();
        var (baseTokenizer, baseConfig) = Files(variant["base"]!.GetValue<string>());
        var tokenizerJson = JsonNode.Parse(baseTokenizer)!.AsObject();
        foreach (var (name, value) in variant["tokenizer"]?.AsObject() ?? []) tokenizerJson[name] = value?.DeepClone();
        var added = tokenizerJson["added_tokens"]!.AsArray();
        if (variant["drop_added_tokens_from"] is JsonNode from)
        {
            foreach (var token in added.Where(t => t!["id"]!.GetValue<int>() >= from.GetValue<int>()).ToList()) added.Remove(token);
        }
        foreach (var token in variant["extra_added_tokens"]?.AsArray() ?? []) added.Add(token!.DeepClone());

        var configJson = baseConfig is null ? new JsonObject() : JsonNode.Parse(baseConfig)!.AsObject();
        foreach (var (name, value) in variant["config"]?.AsObject() ?? []) configJson[name] = value?.DeepClone();
        return (tokenizerJson.ToJsonString(), configJson.ToJsonString());
    }

    static string? ReadOwnOrShared(string own, string family, string fileName)
    {
        string plain = Path.Combine(own, fileName), gzipped = plain + ".gz";
        if (File.Exists(gzipped))
        {
            using var gzip = new GZipStream(File.OpenRead(gzipped), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            return reader.ReadToEnd();
        }
        if (File.Exists(plain)) return File.ReadAllText(plain);
        string shared = Path.Combine(TokenizerFixtures.Root, family, fileName);
        return File.Exists(shared) ? File.ReadAllText(shared) : null;
    }
}
