using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;

namespace LoraLab.Engine.Training;

/// <param name="MethodKind">lora, dora…: a method that keeps its adapted layers' outputs (DoRA) costs one more tensor per adapted layer; other kinds are counted as LoRA.</param>
/// <param name="TrainableParameters">What the method trains (<c>PeftMethod.Count</c>); float32, with float32 gradients and AdamW's two moments.</param>
/// <param name="BaseWeightBits">Bits per base weight in memory: 32 float32, 16 bf16/fp16, 4 for 4-bit quantisation.</param>
/// <param name="Precision">The dtype activations are computed in.</param>
public sealed record MemoryEstimateInput(
    ModelConfig Model, string MethodKind, long TrainableParameters, double BaseWeightBits, ComputePrecision Precision,
    int BatchSize, int SequenceLength, bool GradientCheckpointing);

/// <summary>Resident bytes a training run reaches at its peak, by what holds them.</summary>
/// <param name="Weights">The frozen base model.</param>
/// <param name="Adapter">Trainable parameters, float32.</param>
/// <param name="Gradients">Their gradients, float32.</param>
/// <param name="OptimizerState">AdamW's two moments, float32.</param>
/// <param name="Activations">What the forward pass keeps for the backward pass, and the loss's tensors at the turn.</param>
/// <param name="AllocatorSlack">Freed memory the C allocator keeps resident between the activations it holds.</param>
/// <param name="Runtime">The .NET runtime and libtorch, resident before any model is built.</param>
public sealed record MemoryEstimate(long Weights, long Adapter, long Gradients, long OptimizerState, long Activations, long AllocatorSlack, long Runtime)
{
    public long Total => Weights + Adapter + Gradients + OptimizerState + Activations + AllocatorSlack + Runtime;
}

/// <summary>
/// Peak resident memory of a training step as a pure function of the model's shape, the method and the batch, for this
/// engine on the CPU, with adapters on every linear layer of every block (the usual and the largest case).
/// </summary>
/// <remarks>
/// <para>Activations are counted per token from what each operation saves for the backward pass. Per block: both
/// RMSNorms' float32 inputs (2·D·4 bytes) and normalised outputs, the adapters' inputs (2·D); with fused attention the
/// roped queries, the keys and values repeated to every head, the attention output and its re-laid-out copy for
/// o_proj (5·H·hd), with <see cref="EagerAttention"/> (bf16, short sequences) the scaled queries, the keys and values
/// once per KV head, the re-laid-out output (2·H·hd + 2·KV·hd) and the causal attention probabilities (about H·3Tk/4);
/// the MLP's gate, SiLU, up and product (4·I); DoRA also keeps each adapted layer's output before its magnitude
/// scaling. The loss (<see cref="TokenCrossEntropy"/>) writes the gradient of the (tokens × vocab) logits beside them at
/// the end of the forward pass, which is the peak: every block's activations are alive then. With gradient
/// checkpointing only each block's input is kept, and the peak is the larger of the loss's two tensors and one block
/// recomputed.</para>
/// <para>The slack and runtime constants are measured (TrainingBenchmark, glibc's allocator, Linux): glibc keeps the
/// holes that a block's freed temporaries leave between kept activations, about 5·(D + I) elements per token and
/// block, and does not return them while the step runs.</para>
/// </remarks>
public static class MemoryEstimator
{
    public const long RuntimeBytes = 180L << 20;
    const double SlackPerTokenLayer = 5;   // × (D + I) × compute bytes

    /// <summary>The estimate for a run as the user configures it: trainable count from the config, the base's storage from the method.</summary>
    public static MemoryEstimate Estimate(ModelConfig model, MethodOptions method, TrainingOptions training, int sequenceLength)
    {
        var spec = MethodRegistry.Get(method.Method);
        double baseBits = spec.BaseWeightBits(model, training.Precision.Bytes() * 8);
        return Estimate(new MemoryEstimateInput(model, method.Method, spec.TrainableParameters(model, method), baseBits, training.Precision,
            training.BatchSize, sequenceLength, training.GradientCheckpointing));
    }

    public static MemoryEstimate Estimate(MemoryEstimateInput input)
    {
        var c = input.Model;
        long tokens = (long)input.BatchSize * input.SequenceLength;
        int bytes = input.Precision.Bytes();
        long D = c.HiddenSize, I = c.IntermediateSize, L = c.NumHiddenLayers, V = c.VocabSize;
        long heads = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;

        long weights = (long)Math.Ceiling(c.ParameterCount() * input.BaseWeightBits / 8);
        long trainable = input.TrainableParameters * 4;

        long attention = EagerAttention.Preferred(input.Precision.DType(), input.SequenceLength, input.SequenceLength)
            ? 2 * heads + 2 * kv + (long)(c.NumAttentionHeads * EagerAttention.CausalScoresPerQuery(input.SequenceLength))
            : 5 * heads;
        double block = 2 * D * 4 + (2 * D + attention + 4 * I) * bytes;
        if (MethodRegistry.Find(input.MethodKind) is { KeepsAdaptedOutputs: true }) block += (D + heads + 2 * kv + 2 * I + D) * bytes;
        double loss = 2 * V * bytes;
        double perToken = input.GradientCheckpointing ? L * D * bytes + Math.Max(block, loss) : L * block + loss;
        long activations = (long)(tokens * perToken);
        long slack = (long)(SlackPerTokenLayer * tokens * L * (D + I) * bytes);

        return new MemoryEstimate(weights, trainable, trainable, 2 * trainable, activations, slack, RuntimeBytes);
    }
}
