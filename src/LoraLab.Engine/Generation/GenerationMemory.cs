using LoraLab.Engine.Models;
using LoraLab.Engine.Training;

namespace LoraLab.Engine.Generation;

/// <summary>
/// Peak resident memory of batched generation on a model loaded for inference, by the engine's layout: float32
/// weights, a KV cache of <c>rows × tokensPerRow</c> positions in every layer (keys and values, float32), one step's
/// logits per row and its softmax beside them, and the runtime (<see cref="MemoryEstimator.RuntimeBytes"/>). Adapters
/// are small beside the base and not counted.
/// </summary>
public static class GenerationMemory
{
    public static long Estimate(ModelConfig model, int rows, int tokensPerRow)
    {
        long weights = model.ParameterCount() * sizeof(float);
        long kvCache = 2L * model.NumHiddenLayers * model.NumKeyValueHeads * model.HeadDim * rows * tokensPerRow * sizeof(float);
        long logits = 2L * rows * model.VocabSize * sizeof(float);
        return weights + kvCache + logits + MemoryEstimator.RuntimeBytes;
    }
}
