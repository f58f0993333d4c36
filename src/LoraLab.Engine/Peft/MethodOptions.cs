using System.Text.Json.Serialization;

namespace LoraLab.Engine.Peft;

/// <summary>
/// Everything a user chooses about a fine-tuning method, as one serialisable record (snake_case in JSON, as saved
/// beside every run). Only the fields of the chosen method matter; <see cref="Validate"/> checks those.
/// </summary>
public sealed record MethodOptions
{
    public static readonly IReadOnlyList<string> Methods = ["lora", "dora", "qlora", "prompt", "prefix", "ia3", "adapter", "selective", "full"];

    public string Method { get; init; } = "lora";

    // LoRA family (lora, dora, qlora)
    public int R { get; init; } = 16;
    public double LoraAlpha { get; init; } = 32;
    public double LoraDropout { get; init; }
    /// <summary>Module names or "all-linear" (the default: all seven projections, as QLoRA recommends).</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = [LoraConfig.AllLinear];
    public bool UseRslora { get; init; }
    /// <summary>default, gaussian, pissa or pissa_niter_K.</summary>
    public string InitLoraWeights { get; init; } = "default";
    /// <summary>qlora: nf4 or fp4.</summary>
    public string QuantType { get; init; } = "nf4";
    public bool DoubleQuant { get; init; } = true;

    // Soft prompts (prompt, prefix)
    public int NumVirtualTokens { get; init; } = 20;
    /// <summary>prompt: initialise the virtual tokens from this text's embeddings (PEFT's TEXT init); null for random.</summary>
    public string? PromptInitText { get; init; }
    public bool PrefixProjection { get; init; }
    public int? EncoderHiddenSize { get; init; }

    // Bottleneck adapters
    public int BottleneckSize { get; init; } = 64;
    public string NonLinearity { get; init; } = "silu";
    /// <summary>attention, mlp or both.</summary>
    public string Placement { get; init; } = "both";

    // Selective fine-tuning
    public int LastBlocks { get; init; }
    public bool Biases { get; init; }
    public bool Norms { get; init; }
    public bool Embeddings { get; init; }
    public bool LmHead { get; init; }
    public IReadOnlyList<string> Patterns { get; init; } = [];

    [JsonIgnore] public bool IsLoraFamily => Method is "lora" or "dora" or "qlora";

    public void Validate()
    {
        if (!Methods.Contains(Method))
            throw new PeftConfigException($"method must be one of {string.Join(", ", Methods)}, got '{Method}'.");
        if (IsLoraFamily && QuantType is not ("nf4" or "fp4"))
            throw new PeftConfigException($"quant_type must be nf4 or fp4, got '{QuantType}'.");
        if (Method is "prompt" or "prefix" && NumVirtualTokens <= 0)
            throw new PeftConfigException($"num_virtual_tokens must be positive, got {NumVirtualTokens}.");
    }
}
