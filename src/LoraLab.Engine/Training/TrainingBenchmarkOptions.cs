using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;
using static System.FormattableString;

namespace LoraLab.Engine.Training;

/// <summary>What <see cref="TrainingBenchmark"/> measures: training steps of one method on a random-weight model of a given shape.</summary>
public sealed record TrainingBenchmarkOptions
{
    public static IReadOnlyList<string> SevenProjections { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    public ModelConfig Model { get; init; } = GenerationBenchmarkOptions.SmolLM2_135M;
    /// <summary>Any method; by default LoRA r = 16, alpha 32, no dropout, on all seven projections (the yardstick's shape).</summary>
    public MethodOptions Method { get; init; } = new() { R = 16, LoraAlpha = 32, LoraDropout = 0, TargetModules = SevenProjections };
    public int BatchSize { get; init; } = 4;
    public int SequenceLength { get; init; } = 256;
    public ComputePrecision Precision { get; init; } = ComputePrecision.Float32;
    public bool GradientCheckpointing { get; init; }
    /// <summary>Steps timed after the warm-up steps, which pay one-off costs (allocator growth, kernel selection).</summary>
    public int Steps { get; init; } = 5;
    public int WarmupSteps { get; init; } = 1;
    public long Seed { get; init; }

    public IPeftMethod CreateMethod() => PeftMethodFactory.Create(Method, Model, tokenizer: null, Seed);

    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException(Invariant($"batch_size must be positive, got {BatchSize}."));
        if (SequenceLength < 2 || SequenceLength > Model.MaxPositionEmbeddings)
            throw new ArgumentException(Invariant($"sequence_length must be within [2, {Model.MaxPositionEmbeddings}] (max_position_embeddings), got {SequenceLength}."));
        if (Steps <= 0) throw new ArgumentException(Invariant($"steps must be positive, got {Steps}."));
        if (WarmupSteps < 0) throw new ArgumentException(Invariant($"warmup_steps must be zero or more, got {WarmupSteps}."));
        if (Precision == ComputePrecision.Fp16) throw new ArgumentException("compute_precision fp16 is not benchmarked on the CPU; use float32 or bf16.");
        if (MethodRegistry.Find(Method.Method) is { TrainsBaseWeights: true } && Precision != ComputePrecision.Float32)
            throw new ArgumentException($"{Method.Method} fine-tuning trains the base weights, which stay float32: benchmark it in float32.");
        Method.Validate();
    }
}
