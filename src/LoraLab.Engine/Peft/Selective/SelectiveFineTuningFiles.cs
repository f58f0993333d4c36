using LoraLab.Engine.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft.Selective;

/// <summary>
/// A selective fine-tune as an adapter folder: <c>adapter_config.json</c> (<c>peft_type: "LORALAB_SELECTIVE"</c> and the
/// <see cref="SelectiveFineTuningSpec"/>) and <c>adapter_model.safetensors</c> holding only the trained tensors, under their
/// Hugging Face names (<c>model.layers.1.self_attn.q_proj.weight</c>) and in the model's dtype, to be laid over the same base.
/// </summary>
public static class SelectiveFineTuningFiles
{
    public static void Save(CausalLM lm, SelectiveFineTuningSpec spec, string adapterDirectory)
    {
        if (spec.Full) throw new ArgumentException("A full fine-tune is saved as a complete model folder (PretrainedModel.Save), not as an adapter.");
        AdapterFolder.Write(adapterDirectory, spec.ToJson(), spec.Select(lm).Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Parameter)));
    }

    /// <summary>Overwrites the selected parameters of <paramref name="lm"/> with the saved ones; keys and shapes are checked first.</summary>
    public static SelectiveFineTuningSpec Load(CausalLM lm, string adapterDirectory)
    {
        var spec = AdapterFolder.ReadConfig(adapterDirectory, SelectiveFineTuningSpec.PeftType, json =>
        {
            var s = SelectiveFineTuningSpec.FromJson(json);
            if (s.Full) throw new PeftConfigException("full = true: a full fine-tune is a complete model folder; open it as a model, not as an adapter.");
            return s;
        });
        using var file = AdapterFolder.OpenWeights(adapterDirectory);
        var selected = spec.Select(lm);
        AdapterFolder.Verify(file, selected.Select(p => (p.Name, p.Parameter.shape)).ToList());
        AdapterFolder.CopyInto(file, selected.Select(p => (p.Name, (Tensor)p.Parameter)));
        return spec;
    }
}
