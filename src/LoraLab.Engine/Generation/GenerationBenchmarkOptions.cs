using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using static System.FormattableString;

namespace LoraLab.Engine.Generation;

/// <summary>What <see cref="GenerationBenchmark"/> measures: a random-weight model of a given shape at several context lengths.</summary>
public sealed record GenerationBenchmarkOptions
{
    /// <summary>The shape of HuggingFaceTB/SmolLM2-135M.</summary>
    public static ModelConfig SmolLM2_135M { get; } = new()
    {
        Architecture = "LlamaForCausalLM", VocabSize = 49152, HiddenSize = 576, IntermediateSize = 1536, NumHiddenLayers = 30,
        NumAttentionHeads = 9, NumKeyValueHeadsOverride = 3, RopeTheta = 100000, TieWordEmbeddings = true, RmsNormEps = 1e-5,
        MaxPositionEmbeddings = 8192,
    };

    public ModelConfig Model { get; init; } = SmolLM2_135M;
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;
    public int BatchSize { get; init; } = 1;
    /// <summary>Prompt lengths to prefill; decoding follows each, so decode cost is seen at short and long context.</summary>
    public IReadOnlyList<int> ContextLengths { get; init; } = [64, 1024];
    public int DecodeTokens { get; init; } = 32;
    public long Seed { get; init; }

    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException(Invariant($"batch_size must be positive, got {BatchSize}."));
        if (DecodeTokens <= 0) throw new ArgumentException(Invariant($"decode_tokens must be positive, got {DecodeTokens}."));
        if (ContextLengths.Count == 0) throw new ArgumentException("context_lengths must name at least one length.");
        foreach (int length in ContextLengths)
            if (length <= 0 || length + DecodeTokens > Model.MaxPositionEmbeddings)
                throw new ArgumentException(Invariant(
                    $"context_lengths holds {length}: it must be positive and leave room for {DecodeTokens} decode tokens within max_position_embeddings {Model.MaxPositionEmbeddings}."));
    }
}
