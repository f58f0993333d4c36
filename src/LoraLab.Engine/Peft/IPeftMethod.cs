using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft;

/// <summary>
/// A fine-tuning method attached to a base model: it freezes what it does not train, adds what it does, runs the
/// forward pass (some methods prepend virtual tokens), and saves its result. The trainer sees only this.
/// </summary>
public interface IPeftMethod
{
    /// <summary>lora, dora, qlora, prompt, prefix, ia3, adapter, selective or full.</summary>
    string Kind { get; }

    /// <summary>Freezes the base model and adds this method's trainable parameters. Called once, before training.</summary>
    void Attach(CausalLM lm);

    /// <summary>What the optimizer updates, under stable names (the keys of checkpoints and of the saved adapter where possible).</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters();

    /// <summary>Logits (B, T, V) aligned with <paramref name="inputIds"/> (B, T); <paramref name="keyIsReal"/> (B, T) marks padding, or null.</summary>
    Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal);

    /// <summary>
    /// Logits (B, T, V) for a packed batch: several examples per row, with <paramref name="positions"/> (B, T) restarting
    /// per example and a (B, 1, T, T) block-diagonal <paramref name="attentionMask"/>. Methods that only change weights
    /// run the model as it is; methods that prepend virtual tokens cannot pack and refuse.
    /// </summary>
    Tensor ForwardPacked(CausalLM lm, Tensor inputIds, Tensor positions, Tensor attentionMask) =>
        lm.Forward(inputIds, positions, attentionMask: attentionMask);

    /// <summary>Writes the trained adapter to a folder, in PEFT's layout where PEFT has one.</summary>
    void Save(CausalLM lm, string directory);
}

public static class PeftMethod
{
    /// <summary>Stops gradients for every parameter of the base model; a method then adds or unfreezes its own.</summary>
    public static void FreezeBase(CausalLM lm)
    {
        foreach (var p in lm.parameters()) p.requires_grad = false;
    }

    /// <summary>
    /// Trainable parameters and their share of all parameters, as PEFT's print_trainable_parameters shows them before
    /// training. The base is counted from its config, so a quantized base (whose weights are buffers) counts in full.
    /// </summary>
    public static (long Trainable, long Total, double Percent) Count(CausalLM lm, IPeftMethod method)
    {
        long trainable = method.TrainableParameters().Sum(p => p.Parameter.numel());
        bool addsParameters = !MethodRegistry.Get(method.Kind).TrainsBaseWeights;
        long total = lm.Config.ParameterCount() + (addsParameters ? trainable : 0);
        return (trainable, total, 100.0 * trainable / total);
    }
}
