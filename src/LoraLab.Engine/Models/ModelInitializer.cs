using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>Random initialisation as transformers' <c>_init_weights</c> does it: N(0, std) matrices, zero biases, unit norms.</summary>
public static class ModelInitializer
{
    public static void InitializeRandom(CausalLM lm, long seed, double std = 0.02)
    {
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed, device: lm.Device);
        foreach (var (name, p) in lm.named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) p.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0.0, std, generator);
        }
    }
}
