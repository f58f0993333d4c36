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

    /// <summary>Fails with the first of <see cref="Problems"/>.</summary>
    public void Validate()
    {
        foreach (var (_, message) in Problems()) throw new TrainingConfigException(message);
    }

    /// <summary>Every rule these options break, each with the snake_case field it is about (its JSON name).</summary>
    public IEnumerable<(string Field, string Message)> Problems()
    {
        if (NotPositive(LearningRate)) yield return ("learning_rate", Invariant($"learning_rate must be positive, got {LearningRate}."));
        if (WarmupSteps is < 0) yield return ("warmup_steps", $"warmup_steps must be zero or more, got {WarmupSteps}.");
        if (WarmupRatio is < 0 or > 1 || double.IsNaN(WarmupRatio)) yield return ("warmup_ratio", Invariant($"warmup_ratio must be within [0, 1], got {WarmupRatio}."));
        if (MaxSteps is <= 0) yield return ("max_steps", $"max_steps must be positive, got {MaxSteps}.");
        if (NotPositive(Epochs)) yield return ("num_train_epochs", Invariant($"num_train_epochs must be positive, got {Epochs}."));
        if (BatchSize <= 0) yield return ("batch_size", $"batch_size must be positive, got {BatchSize}.");
        if (GradientAccumulationSteps <= 0) yield return ("gradient_accumulation_steps", $"gradient_accumulation_steps must be positive, got {GradientAccumulationSteps}.");
        if (MaxGradNorm is { } norm && NotPositive(norm)) yield return ("max_grad_norm", Invariant($"max_grad_norm must be positive, got {norm}."));
        if (WeightDecay < 0 || !double.IsFinite(WeightDecay)) yield return ("weight_decay", Invariant($"weight_decay must be zero or more, got {WeightDecay}."));
        if (AdamBeta1 is < 0 or >= 1 || double.IsNaN(AdamBeta1)) yield return ("adam_beta1", Invariant($"adam_beta1 must be within [0, 1), got {AdamBeta1}."));
        if (AdamBeta2 is < 0 or >= 1 || double.IsNaN(AdamBeta2)) yield return ("adam_beta2", Invariant($"adam_beta2 must be within [0, 1), got {AdamBeta2}."));
        if (NotPositive(AdamEpsilon)) yield return ("adam_epsilon", Invariant($"adam_epsilon must be positive, got {AdamEpsilon}."));
        if (EvalSteps is <= 0) yield return ("eval_steps", $"eval_steps must be positive, got {EvalSteps}.");
        if (EarlyStoppingPatience is <= 0) yield return ("early_stopping_patience", $"early_stopping_patience must be positive, got {EarlyStoppingPatience}.");
        else if (EarlyStoppingPatience is not null && EvalSteps is null)
            yield return ("early_stopping_patience", "early_stopping_patience needs eval_steps: early stopping watches the validation loss.");
        if (SaveSteps is <= 0) yield return ("save_steps", $"save_steps must be positive, got {SaveSteps}.");
        if (SaveTotalLimit is <= 0) yield return ("save_total_limit", $"save_total_limit must be positive, got {SaveTotalLimit}.");
        if (!Enum.IsDefined(Schedule)) yield return ("lr_scheduler_type", $"lr_scheduler_type must be constant, linear or cosine, got {Schedule}.");
        if (!Enum.IsDefined(Precision)) yield return ("compute_precision", $"compute_precision must be float32, bf16 or fp16, got {Precision}.");
    }

    static bool NotPositive(double value) => !(value > 0) || !double.IsFinite(value);

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
