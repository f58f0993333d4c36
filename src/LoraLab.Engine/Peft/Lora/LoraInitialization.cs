using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>How a fresh adapter starts, as PEFT's <c>init_lora_weights</c> does it.</summary>
public static class LoraInitialization
{
    /// <summary>
    /// "default" and "gaussian" leave the base alone and set B = 0, so ΔW = 0 at step 0; PiSSA modes move the principal
    /// part of the base weight into the adapter instead (<see cref="PissaInitialization"/>).
    /// </summary>
    public static void Initialize(LoraLinear layer, string adapterName, string mode, Generator? generator = null)
    {
        if (PissaInitialization.IsValidMode(mode)) PissaInitialization.Initialize(layer, adapterName, mode, generator);
        else Initialize(layer.Adapter(adapterName), mode, generator);
    }

    /// <summary>
    /// "default": A ~ Kaiming-uniform with a = √5 (torch.nn.Linear's default), i.e. U(−1/√in, 1/√in).
    /// "gaussian": A ~ N(0, 1/r).
    /// </summary>
    public static void Initialize(LoraAdapter adapter, string mode, Generator? generator = null)
    {
        using var noGrad = no_grad();
        long fanIn = adapter.lora_A.shape[1];
        switch (mode)
        {
            case "default":
                double bound = 1.0 / Math.Sqrt(fanIn);   // gain √(2/(1+5)) · √(3/fan_in)
                adapter.lora_A.uniform_(-bound, bound, generator);
                break;
            case "gaussian":
                adapter.lora_A.normal_(0, 1.0 / adapter.Rank, generator);
                break;
            default:
                throw new ArgumentException($"init_lora_weights '{mode}' is not a random initialisation.");
        }
        adapter.lora_B.zero_();
    }
}
