using LoraLab.Engine.Peft;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Training;

static class AdapterNoise
{
    /// <summary>Draws every lora_B from N(0, 0.1²): a fresh adapter has B = 0, which would hide errors in the gradients of A.</summary>
    public static void RandomiseB(IPeftMethod method)
    {
        using var noGrad = no_grad();
        var generator = new Generator(9);
        foreach (var (name, p) in method.TrainableParameters())
            if (name.EndsWith("lora_B.weight", StringComparison.Ordinal)) p.normal_(0, 0.1, generator);
    }
}
