using LoraLab.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Selective;

/// <summary>
/// Selective and full fine-tuning, for comparison with the adapter methods: the base's own parameters chosen by a
/// <see cref="SelectiveFineTuningSpec"/> are unfrozen and trained in place; nothing is added.
/// </summary>
public sealed class SelectiveFineTuning(SelectiveFineTuningSpec spec) : IPeftMethod
{
    IReadOnlyList<(string Name, Parameter Parameter)>? selected;

    public SelectiveFineTuningSpec Spec => spec;
    public string Kind => spec.Full ? "full" : "selective";

    public void Attach(CausalLM lm)
    {
        if (selected is not null) throw new InvalidOperationException("This fine-tuning method is already attached to a model.");
        var chosen = spec.Select(lm);
        PeftMethod.FreezeBase(lm);
        foreach (var (_, p) in chosen) p.requires_grad = true;
        selected = chosen;
    }

    /// <summary>The selected parameters under their Hugging Face names, so "norm" and ".bias" name-based rules apply.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() =>
        selected ?? throw new InvalidOperationException("Attach the fine-tuning method to a model first.");

    public Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal) => lm.Forward(inputIds, keyIsReal: keyIsReal);

    /// <summary>Full: a complete Hugging Face model folder (config.json + safetensors). Selective: only the trained tensors.</summary>
    public void Save(CausalLM lm, string directory)
    {
        if (spec.Full) PretrainedModel.Save(lm, directory);
        else SelectiveFineTuningFiles.Save(lm, spec, directory);
    }
}
