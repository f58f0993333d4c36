using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Quantization;

namespace LoraLab.Engine.Peft;

/// <summary>What the frozen base's linear layers cost in memory, however they are stored (dense or 4-bit).</summary>
public static class BaseWeightFootprint
{
    /// <summary>
    /// Bytes per weight of the decoder blocks' linear layers: 4 in float32, 2 in bf16, about 0.52 in NF4 with double
    /// quantization. lm_head is left out: like the embeddings it stays in the compute dtype under QLoRA.
    /// </summary>
    public static double BytesPerLinearParameter(CausalLM lm)
    {
        long bytes = 0, parameters = 0;
        foreach (var (path, _, _, layer) in LoraInjection.LinearLayers(lm))
        {
            if (path == "lm_head") continue;
            var weights = layer is LoraLinear lora ? lora.Base : (ILinearWeights)layer;
            parameters += weights.InFeatures * weights.OutFeatures;
            bytes += weights switch
            {
                QuantizedLinear q => q.WeightBytes(),
                LinearLayer dense => dense.weight.numel() * dense.weight.element_size(),
                _ => throw new NotSupportedException($"{weights.GetType().Name} has no known storage size."),
            };
        }
        return (double)bytes / parameters;
    }
}
