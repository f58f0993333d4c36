using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Files;

namespace LoraLab.Engine.Models;

public enum ModelFamily { Llama, Mistral, Qwen2, Qwen3 }

/// <summary>
/// The decoder hyper-parameters read from a Hugging Face <c>config.json</c>, validated once.
/// Derived values (head size, KV groups, per-family switches) are computed here and nowhere else.
/// </summary>
public sealed record ModelConfig
{
    public static readonly IReadOnlyDictionary<string, ModelFamily> SupportedArchitectures = new Dictionary<string, ModelFamily>
    {
        ["LlamaForCausalLM"] = ModelFamily.Llama,
        ["MistralForCausalLM"] = ModelFamily.Mistral,
        ["Qwen2ForCausalLM"] = ModelFamily.Qwen2,
        ["Qwen3ForCausalLM"] = ModelFamily.Qwen3,
    };

    public required string Architecture { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public int? NumKeyValueHeadsOverride { get; init; }
    public int? HeadDimOverride { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000.0;
    public RopeScaling? RopeScaling { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 2048;
    public bool TieWordEmbeddings { get; init; }
    public bool AttentionBias { get; init; }
    public bool MlpBias { get; init; }
    public int? SlidingWindow { get; init; }
    public string TorchDType { get; init; } = "float32";
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    public int? PadTokenId { get; init; }

    public ModelFamily Family => SupportedArchitectures[Architecture];
    public int NumKeyValueHeads => NumKeyValueHeadsOverride ?? NumAttentionHeads;
    public int HeadDim => HeadDimOverride ?? HiddenSize / NumAttentionHeads;
    public int KvGroups => NumAttentionHeads / NumKeyValueHeads;
    /// <summary>Qwen2 always has q/k/v biases; Llama-style configs switch them with <c>attention_bias</c>.</summary>
    public bool QkvBias => Family == ModelFamily.Qwen2 || AttentionBias;
    public bool OutputBias => Family != ModelFamily.Qwen2 && AttentionBias;
    /// <summary>Qwen3 normalises each query and key head (RMSNorm over head_dim) before RoPE.</summary>
    public bool QkNorm => Family == ModelFamily.Qwen3;

    /// <summary>The number of parameters a model of this shape has, from the config alone (what the weights will hold).</summary>
    public long ParameterCount()
    {
        long d = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
        long attention = d * q + 2 * d * kv + q * d + (QkvBias ? q + 2 * kv : 0) + (OutputBias ? d : 0) + (QkNorm ? 2L * HeadDim : 0);
        long mlp = 3 * d * IntermediateSize + (MlpBias ? 2L * IntermediateSize + d : 0);
        long layer = attention + mlp + 2 * d;
        long embeddings = (long)VocabSize * d;
        return embeddings + NumHiddenLayers * layer + d + (TieWordEmbeddings ? 0 : embeddings);
    }

    public static ModelConfig Load(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "config.json");
        if (!File.Exists(path)) throw new ModelConfigException($"{path} does not exist: a Hugging Face model folder needs a config.json.");
        JsonNode? root;
        try { root = UntrustedFile.ParseJsonNode(path, problem => new ModelConfigException($"{path}: {problem}.")); }
        catch (JsonException e) { throw new ModelConfigException($"{path} is not valid JSON: {e.Message}"); }
        if (root is not JsonObject obj) throw new ModelConfigException($"{path} must hold a JSON object.");
        return Parse(obj, path);
    }

    public static ModelConfig Parse(JsonObject json, string source = "config.json")
    {
        var r = new FieldReader(json, source);
        string architecture = r.Architecture();
        var family = SupportedArchitectures[architecture];
        int layerCount = r.PositiveInt("num_hidden_layers");
        bool usesSlidingWindow = family switch
        {
            ModelFamily.Mistral => true,
            ModelFamily.Qwen2 or ModelFamily.Qwen3 => r.QwenWindowApplies(layerCount),
            _ => false,
        };
        var rope = json["rope_parameters"] is JsonObject ? new FieldReader((JsonObject)json["rope_parameters"]!, $"{source} rope_parameters") : null;
        int maxPositions = r.OptionalPositiveInt("max_position_embeddings") ?? 2048;
        var config = new ModelConfig
        {
            Architecture = architecture,
            VocabSize = r.PositiveInt("vocab_size"),
            HiddenSize = r.PositiveInt("hidden_size"),
            IntermediateSize = r.PositiveInt("intermediate_size"),
            NumHiddenLayers = r.PositiveInt("num_hidden_layers"),
            NumAttentionHeads = r.PositiveInt("num_attention_heads"),
            NumKeyValueHeadsOverride = r.OptionalPositiveInt("num_key_value_heads"),
            HeadDimOverride = r.OptionalPositiveInt("head_dim"),
            RmsNormEps = r.Double("rms_norm_eps", 1e-6),
            RopeTheta = rope?.Double("rope_theta", r.Double("rope_theta", 10000.0)) ?? r.Double("rope_theta", 10000.0),
            RopeScaling = (rope ?? (json["rope_scaling"] is JsonObject s ? new FieldReader(s, $"{source} rope_scaling") : null))?.RopeScaling(maxPositions),
            MaxPositionEmbeddings = maxPositions,
            TieWordEmbeddings = r.Bool("tie_word_embeddings", false),
            AttentionBias = r.Bool("attention_bias", false),
            MlpBias = r.Bool("mlp_bias", false),
            SlidingWindow = usesSlidingWindow ? r.OptionalPositiveInt("sliding_window") : null,
            TorchDType = r.String("torch_dtype") ?? r.String("dtype") ?? "float32",
            BosTokenId = r.OptionalInt("bos_token_id"),
            EosTokenIds = r.IntOrIntList("eos_token_id"),
            PadTokenId = r.OptionalInt("pad_token_id"),
        };
        r.RequireActivation("silu");
        config.Validate(source);
        return config;
    }

    void Validate(string source)
    {
        if (HeadDimOverride is null && HiddenSize % NumAttentionHeads != 0)
            throw new ModelConfigException($"{source}: hidden_size {HiddenSize} is not divisible by num_attention_heads {NumAttentionHeads}.");
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new ModelConfigException($"{source}: num_attention_heads {NumAttentionHeads} is not a multiple of num_key_value_heads {NumKeyValueHeads}.");
        if (HeadDim % 2 != 0)
            throw new ModelConfigException($"{source}: head_dim {HeadDim} must be even for rotary embeddings.");
    }

    /// <summary>The config.json that describes this model, as Hugging Face writes it.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(Architecture),
            ["model_type"] = Family.ToString().ToLowerInvariant(),
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["attention_bias"] = AttentionBias,
            ["mlp_bias"] = MlpBias,
            ["torch_dtype"] = TorchDType,
        };
        if (RopeScaling is { } scaling) json["rope_scaling"] = RopeScalingJson(scaling);
        if (HeadDimOverride is { } headDim) json["head_dim"] = headDim;
        if (SlidingWindow is { } w) json["sliding_window"] = w;
        if (Family is ModelFamily.Qwen2 or ModelFamily.Qwen3) json["use_sliding_window"] = SlidingWindow is not null;
        if (BosTokenId is { } bos) json["bos_token_id"] = bos;
        if (EosTokenIds.Count == 1) json["eos_token_id"] = EosTokenIds[0];
        else if (EosTokenIds.Count > 1) json["eos_token_id"] = new JsonArray(EosTokenIds.Select(i => (JsonNode)i).ToArray());
        if (PadTokenId is { } pad) json["pad_token_id"] = pad;
        return json;
    }

    static JsonObject RopeScalingJson(RopeScaling scaling)
    {
        var json = new JsonObject { ["rope_type"] = scaling.RopeType, ["factor"] = scaling.Factor };
        switch (scaling)
        {
            case DynamicRopeScaling d: json["original_max_position_embeddings"] = d.OriginalMaxPositionEmbeddings; break;
            case Llama3RopeScaling l:
                json["low_freq_factor"] = l.LowFreqFactor; json["high_freq_factor"] = l.HighFreqFactor;
                json["original_max_position_embeddings"] = l.OriginalMaxPositionEmbeddings; break;
            case YarnRopeScaling y:
                json["original_max_position_embeddings"] = y.OriginalMaxPositionEmbeddings;
                json["beta_fast"] = y.BetaFast; json["beta_slow"] = y.BetaSlow; json["truncate"] = y.Truncate;
                if (y.AttentionFactorOverride is { } a) json["attention_factor"] = a;
                if (y.Mscale is { } m) json["mscale"] = m;
                if (y.MscaleAllDim is { } all) json["mscale_all_dim"] = all;
                break;
        }
        return json;
    }

    /// <summary>Reads typed fields from config.json; every error names the file, the field and the value.</summary>
    sealed class FieldReader(JsonObject json, string source)
    {
        public string Architecture()
        {
            string supported = string.Join(", ", SupportedArchitectures.Keys);
            if (json["architectures"] is not JsonArray { Count: > 0 } list || list[0]?.GetValueKind() != JsonValueKind.String)
                throw new ModelConfigException($"{source}: field 'architectures' is missing; supported architectures: {supported}.");
            string name = list[0]!.GetValue<string>();
            if (!SupportedArchitectures.ContainsKey(name))
                throw new ModelConfigException($"{source}: architecture '{name}' is not supported; supported architectures: {supported}.");
            return name;
        }

        public int PositiveInt(string field) =>
            OptionalPositiveInt(field) ?? throw new ModelConfigException($"{source}: required field '{field}' is missing.");

        public int? OptionalPositiveInt(string field)
        {
            int? value = OptionalInt(field);
            if (value is <= 0) throw new ModelConfigException($"{source}: field '{field}' must be positive, got {value}.");
            return value;
        }

        public int? OptionalInt(string field)
        {
            var node = json[field];
            if (node is null) return null;
            if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue(out int value))
                throw new ModelConfigException($"{source}: field '{field}' must be an integer, got {node.ToJsonString()}.");
            return value;
        }

        public IReadOnlyList<int> IntOrIntList(string field) => json[field] switch
        {
            null => [],
            JsonArray array => array.Select((_, i) => ElementInt(array, i, field)).ToArray(),
            _ => [OptionalInt(field)!.Value],
        };

        int ElementInt(JsonArray array, int index, string field) =>
            array[index] is JsonValue v && v.TryGetValue(out int id) ? id
                : throw new ModelConfigException($"{source}: field '{field}' must hold integers, got {array.ToJsonString()}.");

        public double Double(string field, double fallback)
        {
            var node = json[field];
            if (node is null) return fallback;
            if (node.GetValueKind() != JsonValueKind.Number)
                throw new ModelConfigException($"{source}: field '{field}' must be a number, got {node.ToJsonString()}.");
            return node.GetValue<double>();
        }

        public bool Bool(string field, bool fallback) => json[field]?.GetValueKind() switch
        {
            null or JsonValueKind.Null => fallback,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelConfigException($"{source}: field '{field}' must be true or false, got {json[field]!.ToJsonString()}."),
        };

        public string? String(string field) => json[field]?.GetValueKind() switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.String => json[field]!.GetValue<string>(),
            _ => throw new ModelConfigException($"{source}: field '{field}' must be a string, got {json[field]!.ToJsonString()}."),
        };

        public void RequireActivation(string supported)
        {
            string act = String("hidden_act") ?? String("hidden_activation") ?? supported;
            if (act != supported) throw new ModelConfigException($"{source}: hidden_act '{act}' is not supported; supported: {supported}.");
        }

        /// <summary>
        /// Whether Qwen2/Qwen3's sliding window applies. transformers windows layer i when use_sliding_window is true, a
        /// sliding_window is set and i ≥ max_window_layers; this attention windows all layers or none, so a mix is refused.
        /// </summary>
        public bool QwenWindowApplies(int layerCount)
        {
            if (!Bool("use_sliding_window", false) || json["sliding_window"] is null) return false;
            int firstWindowed = OptionalInt("max_window_layers") ?? 28;
            if (firstWindowed >= layerCount) return false;
            if (firstWindowed <= 0) return true;
            throw new ModelConfigException(
                $"{source}: use_sliding_window is true with max_window_layers {firstWindowed} of num_hidden_layers {layerCount}, " +
                "so only some layers would use a sliding window; this engine applies a window to every layer or to none.");
        }

        static readonly string[] SupportedRopeTypes = ["default", "linear", "dynamic", "yarn", "llama3"];

        /// <summary>This object is rope_scaling (or rope_parameters); refuses kinds other than those transformers and we share.</summary>
        public RopeScaling? RopeScaling(int maxPositionEmbeddings)
        {
            string type = String("rope_type") ?? String("type") ?? "default";
            double Factor() => json["factor"] is null
                ? throw new ModelConfigException($"{source}: rope_type '{type}' needs field 'factor'.")
                : PositiveDouble("factor");
            int original = OptionalPositiveInt("original_max_position_embeddings") ?? maxPositionEmbeddings;
            return type switch
            {
                "default" => null,
                "linear" => new LinearRopeScaling(Factor()),
                "dynamic" => new DynamicRopeScaling(Factor(), original),
                "llama3" => new Llama3RopeScaling(Factor(), Double("low_freq_factor", 1.0), Double("high_freq_factor", 4.0),
                    OptionalPositiveInt("original_max_position_embeddings") ?? 8192),
                "yarn" => new YarnRopeScaling(Factor(), original, Double("beta_fast", 32), Double("beta_slow", 1),
                    OptionalDouble("attention_factor"), OptionalDouble("mscale"), OptionalDouble("mscale_all_dim"), Bool("truncate", true)),
                _ => throw new ModelConfigException(
                    $"{source}: rope_type '{type}' is not supported; supported: {string.Join(", ", SupportedRopeTypes)}."),
            };
        }

        double PositiveDouble(string field)
        {
            double value = Double(field, 0);
            if (value <= 0) throw new ModelConfigException($"{source}: field '{field}' must be positive, got {value}.");
            return value;
        }

        double? OptionalDouble(string field) => json[field] is null ? null : Double(field, 0);
    }
}

public sealed class ModelConfigException(string message) : Exception(message);
