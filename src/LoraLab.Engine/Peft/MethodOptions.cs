using System.Text.Json.Serialization;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.Methods;

namespace LoraLab.Engine.Peft;

/// <summary>
/// Everything a user chooses about a fine-tuning method, as one serialisable record (snake_case in JSON, as saved
/// beside every run). Only the fields of the chosen method matter (its <see cref="MethodSpec.Settings"/>);
/// <see cref="MethodRegistry.Validate"/> checks those.
/// </summary>
public sealed record MethodOptions
{
    public static IReadOnlyList<string> Methods => MethodRegistry.Names;

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

    [JsonIgnore] public bool IsLoraFamily => MethodRegistry.Find(Method) is LoraFamilyMethodSpec;

    /// <summary>Fails with the first of the method's errors that need no model (<see cref="MethodRegistry.Validate"/> lists them all).</summary>
    public void Validate()
    {
        foreach (var error in MethodRegistry.Validate(this, null)) throw new PeftConfigException(error.Message);
    }
}
