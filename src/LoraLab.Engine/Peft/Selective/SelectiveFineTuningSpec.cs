using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Lora;
using TorchSharp.Modules;

namespace LoraLab.Engine.Peft.Selective;

/// <summary>
/// Which base parameters to train, by Hugging Face parameter name. A parameter is trained when any selection picks it:
/// the last N decoder blocks (all their parameters), biases (BitFit, Ben Zaken et al. 2021), norms, the token embeddings,
/// the LM head (the embedding matrix itself when the two are tied), or a name matching one of the regular expressions
/// (searched, not anchored: <c>self_attn\.q_proj</c>, <c>layers\.1\.mlp</c>). <see cref="Full"/> trains everything.
/// </summary>
public sealed record SelectiveFineTuningSpec
{
    public const string PeftType = "LORALAB_SELECTIVE";

    public bool Full { get; init; }
    public int LastBlocks { get; init; }
    public bool Biases { get; init; }
    public bool Norms { get; init; }
    public bool Embeddings { get; init; }
    public bool LmHead { get; init; }
    public IReadOnlyList<string> Patterns { get; init; } = [];

    public static SelectiveFineTuningSpec Everything { get; } = new() { Full = true };

    /// <summary>Fails with the first of <see cref="Problems"/>.</summary>
    public void Validate(ModelConfig model)
    {
        foreach (var (_, message) in Problems(model)) throw new PeftConfigException(message);
    }

    /// <summary>
    /// Every rule this spec breaks, each with the snake_case field it is about ("selection" for an empty one);
    /// <paramref name="model"/>, when known, bounds last_blocks.
    /// </summary>
    public IEnumerable<(string Field, string Message)> Problems(ModelConfig? model)
    {
        if (LastBlocks < 0 || (model is not null && LastBlocks > model.NumHiddenLayers))
            yield return ("last_blocks", model is null
                ? $"last_blocks must be 0 or more, got {LastBlocks}."
                : $"last_blocks must be between 0 and the model's {model.NumHiddenLayers} blocks, got {LastBlocks}.");
        foreach (string pattern in Patterns)
        {
            string? problem = null;
            try { _ = new Regex(pattern); }
            catch (ArgumentException e) { problem = $"patterns: '{pattern}' is not a valid regular expression: {e.Message}"; }
            if (problem is not null) yield return ("patterns", problem);
        }
        if (!Full && LastBlocks == 0 && !Biases && !Norms && !Embeddings && !LmHead && Patterns.Count == 0)
            yield return ("selection", "The selection is empty: choose full, last_blocks, biases, norms, embeddings, lm_head or patterns.");
    }

    /// <summary>The parameters this spec trains on <paramref name="lm"/>, under their Hugging Face names, in model order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Select(CausalLM lm)
    {
        Validate(lm.Config);
        var selected = lm.named_parameters().Where(p => Selects(p.name, lm.Config)).ToList();
        if (selected.Count == 0) throw new PeftConfigException($"{Describe()} selects no parameter of this {lm.Config.Architecture}.");
        return selected;
    }

    internal bool Selects(string name, ModelConfig model)
    {
        if (Full) return true;
        if (LastBlocks > 0 && BlockIndex(name) is int block && block >= model.NumHiddenLayers - LastBlocks) return true;
        if (Biases && name.EndsWith(".bias", StringComparison.Ordinal)) return true;
        if (Norms && name.EndsWith("norm.weight", StringComparison.Ordinal)) return true;
        if (Embeddings && name == "model.embed_tokens.weight") return true;
        if (LmHead && name == (model.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight")) return true;
        return Patterns.Any(p => ModulePattern.IsMatch(name, p, "patterns", p));
    }

    static int? BlockIndex(string name)
    {
        var match = Regex.Match(name, @"^model\.layers\.(\d+)\.");
        return match.Success ? int.Parse(match.Groups[1].Value) : null;
    }

    public string Describe()
    {
        if (Full) return "full fine-tuning";
        var parts = new List<string>();
        if (LastBlocks > 0) parts.Add($"the last {LastBlocks} block(s)");
        if (Biases) parts.Add("biases");
        if (Norms) parts.Add("norms");
        if (Embeddings) parts.Add("embeddings");
        if (LmHead) parts.Add("lm_head");
        parts.AddRange(Patterns.Select(p => $"/{p}/"));
        return $"Selective fine-tuning of {string.Join(", ", parts)}";
    }

    /// <summary>The spec as saved in adapter_config.json of a selective fine-tune, with its peft_type.</summary>
    public JsonObject ToJson() => new()
    {
        ["peft_type"] = PeftType,
        ["task_type"] = "CAUSAL_LM",
        ["full"] = Full,
        ["last_blocks"] = LastBlocks,
        ["biases"] = Biases,
        ["norms"] = Norms,
        ["embeddings"] = Embeddings,
        ["lm_head"] = LmHead,
        ["patterns"] = new JsonArray(Patterns.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
    };

    public static SelectiveFineTuningSpec FromJson(JsonObject json) => new()
    {
        Full = json["full"]?.GetValue<bool>() ?? false,
        LastBlocks = json["last_blocks"]?.GetValue<int>() ?? 0,
        Biases = json["biases"]?.GetValue<bool>() ?? false,
        Norms = json["norms"]?.GetValue<bool>() ?? false,
        Embeddings = json["embeddings"]?.GetValue<bool>() ?? false,
        LmHead = json["lm_head"]?.GetValue<bool>() ?? false,
        Patterns = (json["patterns"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToArray() ?? [],
    };
}
