using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static System.FormattableString;

namespace LoraLab.Engine.Training;

/// <summary>What <see cref="TrainingBenchmark"/> measures: training steps of one method on a random-weight model of a given shape.</summary>
public sealed record TrainingBenchmarkOptions
{
    public static IReadOnlyList<string> SevenProjections { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    public ModelConfig Model { get; init; } = GenerationBenchmarkOptions.SmolLM2_135M;
    /// <summary>lora or dora.</summary>
    public string Method { get; init; } = "lora";
    public int Rank { get; init; } = 16;
    public double Alpha { get; init; } = 32;
    public IReadOnlyList<string> TargetModules { get; init; } = SevenProjections;
    public int BatchSize { get; init; } = 4;
    public int SequenceLength { get; init; } = 256;
    public ComputePrecision Precision { get; init; } = ComputePrecision.Float32;
    public bool GradientCheckpointing { get; init; }
    /// <summary>Steps timed after the warm-up steps, which pay one-off costs (allocator growth, kernel selection).</summary>
    public int Steps { get; init; } = 5;
    public int WarmupSteps { get; init; } = 1;
    public long Seed { get; init; }

    public IPeftMethod CreateMethod() => Method switch
    {
        "lora" or "dora" => new LoraMethod(new LoraConfig { R = Rank, LoraAlpha = Alpha, TargetModules = TargetModules, UseDora = Method == "dora" }, Seed),
        _ => throw new ArgumentException($"method '{Method}' has no benchmark; use lora or dora."),
    };

    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException(Invariant($"batch_size must be positive, got {BatchSize}."));
        if (SequenceLength < 2 || SequenceLength > Model.MaxPositionEmbeddings)
            throw new ArgumentException(Invariant($"sequence_length must be within [2, {Model.MaxPositionEmbeddings}] (max_position_embeddings), got {SequenceLength}."));
        if (Steps <= 0) throw new ArgumentException(Invariant($"steps must be positive, got {Steps}."));
        if (WarmupSteps < 0) throw new ArgumentException(Invariant($"warmup_steps must be zero or more, got {WarmupSteps}."));
        if (Precision == ComputePrecision.Fp16) throw new ArgumentException("compute_precision fp16 is not benchmarked on the CPU; use float32 or bf16.");
        CreateMethod();
    }
}
