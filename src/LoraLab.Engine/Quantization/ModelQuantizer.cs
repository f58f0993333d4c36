using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using TorchSharp;

namespace LoraLab.Engine.Quantization;

/// <summary>
/// Puts a model's decoder linear layers into 4 bits, as QLoRA loads its base (bitsandbytes' <c>load_in_4bit</c>):
/// the projections of every attention and MLP block. Embeddings, norms and lm_head stay in the compute dtype.
/// </summary>
public static class ModelQuantizer
{
    /// <summary>Replaces each dense decoder linear layer by a <see cref="QuantizedLinear"/> and frees its dense weight.</summary>
    /// <returns>The dotted paths of the layers quantized by this call (already quantized layers are left as they are).</returns>
    public static IReadOnlyList<string> Quantize(CausalLM lm, QuantizationOptions options)
    {
        options.Validate();
        if (lm.modules().OfType<LoraLinear>().Any())
            throw new InvalidOperationException("Quantize the base model before attaching LoRA adapters: this model already has some.");

        var quantized = new List<string>();
        foreach (var (name, module) in lm.model.named_modules().Prepend(("", lm.model)).ToList())
        {
            if (module is not SwappableModule parent) continue;
            foreach (var (child, sub) in parent.named_children().ToList())
            {
                if (sub is not LinearLayer dense) continue;
                parent.ReplaceChild(child, QuantizedLinear.Quantize(dense, options));
                dense.Dispose();
                quantized.Add(name.Length == 0 ? $"model.{child}" : $"model.{name}.{child}");
            }
        }
        return quantized;
    }
}
