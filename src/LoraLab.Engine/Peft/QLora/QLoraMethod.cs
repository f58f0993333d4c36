using LoraLab.Engine.Models;
using LoraLab.Engine.Quantization;
using TorchSharp.Modules;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft.QLora;

/// <summary>
/// QLoRA (Dettmers et al. 2023): the base model's decoder linear layers are quantized to 4 bits (NF4 with double
/// quantization by default), then LoRA or DoRA adapters train in full precision on top. The adapter is saved as a plain
/// PEFT LoRA adapter, as PEFT does for QLoRA, so it loads on a quantized or a dense base alike.
/// </summary>
public sealed class QLoraMethod(LoraConfig config, QuantizationOptions? quantization = null, long seed = 0, string adapterName = "default") : IPeftMethod
{
    readonly LoraMethod lora = new(config, seed, adapterName);

    public LoraConfig Config => config;
    public QuantizationOptions Quantization { get; } = quantization ?? new QuantizationOptions();
    public string Kind => "qlora";

    public void Attach(CausalLM lm)
    {
        ModelQuantizer.Quantize(lm, Quantization);
        lora.Attach(lm);
    }

    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() => lora.TrainableParameters();

    public Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal) => lora.Forward(lm, inputIds, keyIsReal);

    public void Save(CausalLM lm, string directory) => lora.Save(lm, directory);
}
