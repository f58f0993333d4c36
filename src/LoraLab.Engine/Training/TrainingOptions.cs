using System.Text.Json;
using System.Text.Json.Serialization;
using static System.FormattableString;

namespace LoraLab.Engine.Training;

/// <summary>How the learning rate moves after warm-up, as transformers' schedules of the same names.</summary>
public enum LearningRateSchedule { Constant, Linear, Cosine }

/// <summary>
/// A training run's settings, serialised with the names of transformers' TrainingArguments where it has one
/// (learning_rate, lr_scheduler_type, gradient_accumulation_steps…). Validated once by <see cref="Validate"/>; saved beside every checkpoint.
/// </summary>
public sealed record TrainingOptions
{
    public double LearningRate { get; init; } = 2e-4;
    [JsonPropertyName("lr_scheduler_type")]
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Linear;
    /// <summary>Warm-up in optimizer steps; when null, <see cref="WarmupRatio"/> of the total steps, rounded up.</summary>
    public int? WarmupSteps { get; init; }
    public double WarmupRatio { get; init; }
    /// <summary>Optimizer steps to run; when null, <see cref="Epochs"/> passes over the training batches decide.</summary>
    public int? MaxSteps { get; init; }
    [JsonPropertyName("num_train_epochs")]
    public double Epochs { get; init; } = 1;
    /// <summary>Rows per micro-batch; the batch source makes the batches, the trainer checks none is larger.</summary>
    public int BatchSize { get; init; } = 4;
    /// <summary>Micro-batches whose gradients add up to one optimizer step.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;
    /// <summary>The total gradient norm is clipped to this; null leaves gradients unclipped (the norm is still reported).</summary>
    public double? MaxGradNorm { get; init; } = 1.0;
    public double WeightDecay { get; init; }
    public double AdamBeta1 { get; init; } = 0.9;
    public double AdamBeta2 { get; init; } = 0.999;
    public double AdamEpsilon { get; init; } = 1e-8;
    /// <summary>Seeds libtorch's generator, which LoRA dropout draws from.</summary>
    public long Seed { get; init; } = 42;
    /// <summary>
    /// Evaluate on the validation batches every this many steps; null evaluates only once, after the last step. A run
    /// that completes with validation batches is always evaluated at its end.
    /// </summary>
    public int? EvalSteps { get; init; }
    /// <summary>Stop after this many evaluations in a row without a lower validation loss; null never stops early.</summary>
    public int? EarlyStoppingPatience { get; init; }
    /// <summary>Write a resumable checkpoint every this many steps; null writes one only when cancelled.</summary>
    public int? SaveSteps { get; init; }
    /// <summary>How many step checkpoints to keep, oldest deleted first; null keeps all.</summary>
    public int? SaveTotalLimit { get; init; }
    /// <summary>Keep a copy of the adapter with the lowest validation loss in <c>best/</c>.</summary>
    public bool KeepBest { get; init; } = true;
    [JsonPropertyName("compute_precision")]
    public ComputePrecision Precision { get; init; } = ComputePrecision.Float32;
    public bool GradientCheckpointing { get; init; }

    public void Validate()
    {
        Positive(LearningRate, "learning_rate");
        if (WarmupSteps is < 0) Fail($"warmup_steps must be zero or more, got {WarmupSteps}.");
        if (WarmupRatio is < 0 or > 1 || double.IsNaN(WarmupRatio)) Fail($"warmup_ratio must be within [0, 1], got {WarmupRatio}.");
        if (MaxSteps is <= 0) Fail($"max_steps must be positive, got {MaxSteps}.");
        Positive(Epochs, "num_train_epochs");
        if (BatchSize <= 0) Fail($"batch_size must be positive, got {BatchSize}.");
        if (GradientAccumulationSteps <= 0) Fail($"gradient_accumulation_steps must be positive, got {GradientAccumulationSteps}.");
        if (MaxGradNorm is { } norm) Positive(norm, "max_grad_norm");
        if (WeightDecay < 0 || !double.IsFinite(WeightDecay)) Fail($"weight_decay must be zero or more, got {WeightDecay}.");
        if (AdamBeta1 is < 0 or >= 1 || double.IsNaN(AdamBeta1)) Fail($"adam_beta1 must be within [0, 1), got {AdamBeta1}.");
        if (AdamBeta2 is < 0 or >= 1 || double.IsNaN(AdamBeta2)) Fail($"adam_beta2 must be within [0, 1), got {AdamBeta2}.");
        Positive(AdamEpsilon, "adam_epsilon");
        if (EvalSteps is <= 0) Fail($"eval_steps must be positive, got {EvalSteps}.");
        if (EarlyStoppingPatience is <= 0) Fail($"early_stopping_patience must be positive, got {EarlyStoppingPatience}.");
        if (EarlyStoppingPatience is not null && EvalSteps is null) Fail("early_stopping_patience needs eval_steps: early stopping watches the validation loss.");
        if (SaveSteps is <= 0) Fail($"save_steps must be positive, got {SaveSteps}.");
        if (SaveTotalLimit is <= 0) Fail($"save_total_limit must be positive, got {SaveTotalLimit}.");
        if (!Enum.IsDefined(Schedule)) Fail($"lr_scheduler_type must be constant, linear or cosine, got {Schedule}.");
        if (!Enum.IsDefined(Precision)) Fail($"compute_precision must be float32, bf16 or fp16, got {Precision}.");
    }

    static void Positive(double value, string field)
    {
        if (!(value > 0) || !double.IsFinite(value)) Fail($"{field} must be positive, got {value}.");
    }

    static void Fail(FormattableString message) => throw new TrainingConfigException(Invariant(message));

    static void Fail(string message) => throw new TrainingConfigException(message);

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads options written by <see cref="ToJson"/>; fields left out keep their defaults. Validated.</summary>
    public static TrainingOptions FromJson(string json, string source)
    {
        var options = ParseUnvalidated(json, source);
        try { options.Validate(); }
        catch (TrainingConfigException e) { throw new TrainingConfigException($"{source}: {e.Message}"); }
        return options;
    }

    /// <summary>Reads options as <see cref="FromJson"/> does, leaving validation to the caller (which reports every field at once).</summary>
    public static TrainingOptions ParseUnvalidated(string json, string source)
    {
        TrainingOptions? options;
        try { options = JsonSerializer.Deserialize<TrainingOptions>(json, Json); }
        catch (JsonException e) { throw new TrainingConfigException($"{source}: {e.Message}"); }
        return options ?? throw new TrainingConfigException($"{source} must hold a JSON object.");
    }
}

public sealed class TrainingConfigException(string message) : Exception(message);
