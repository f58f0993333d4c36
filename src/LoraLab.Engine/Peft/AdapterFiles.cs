using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PrefixTuning;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Engine.Peft;

/// <summary>What was loaded onto a base model, and how to run it.</summary>
/// <param name="PeftType">The folder's <c>peft_type</c> (LORA, IA3, PROMPT_TUNING, …).</param>
/// <param name="SoftPrompt">For prompt and prefix tuning, the method whose forward prepends the virtual tokens; null otherwise.</param>
public sealed record LoadedAdapter(string PeftType, IPeftMethod? SoftPrompt)
{
    /// <summary>Logits (B, T, V) for ids (B, T) with the adapter applied, whatever its kind.</summary>
    public Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal = null) =>
        SoftPrompt?.Forward(lm, inputIds, keyIsReal) ?? lm.Forward(inputIds, keyIsReal: keyIsReal);

    /// <summary>What a generation puts in front of every prompt for this adapter: null unless it is prompt or prefix tuning.</summary>
    public VirtualTokens? VirtualTokens => SoftPrompt switch
    {
        PromptTuningMethod prompt => new VirtualTokens(prompt.VirtualTokens, Embeddings: prompt.VirtualTokenEmbeddings),
        PrefixTuningMethod prefix => new VirtualTokens(prefix.VirtualTokens, PrefilledCache: prefix.CreatePrefilledCache),
        _ => null,
    };
}

/// <summary>Loads any adapter folder the engine reads, with the reader of the method its <c>adapter_config.json</c> describes.</summary>
public static class AdapterFiles
{
    public static LoadedAdapter Load(CausalLM lm, string adapterDirectory)
    {
        if (!Directory.Exists(adapterDirectory)) throw new DirectoryNotFoundException($"Adapter folder '{adapterDirectory}' does not exist.");
        string peftType = AdapterFolder.PeftType(adapterDirectory);
        var method = MethodRegistry.OfAdapter(AdapterFolder.ReadConfigJson(adapterDirectory))
            ?? throw new PeftConfigException(
                $"{Path.Combine(adapterDirectory, AdapterFolder.ConfigFile)}: peft_type '{peftType}' is not supported; supported: " +
                $"{string.Join(", ", MethodRegistry.PeftTypes.Select(t => t == "LORA" ? "LORA (incl. DoRA)" : t))}.");
        return new LoadedAdapter(peftType, method.Load(lm, adapterDirectory));
    }
}
