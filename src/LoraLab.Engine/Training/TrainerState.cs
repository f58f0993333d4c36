using System.Text.Json;

namespace LoraLab.Engine.Training;

/// <summary>Everything about a run's progress that a resumed run needs besides tensors; trainer_state.json in a checkpoint.</summary>
public sealed class TrainerState
{
    /// <summary>Optimizer steps completed (the scheduler's step).</summary>
    public long Step { get; set; }
    public long TotalSteps { get; set; }
    public long WarmupSteps { get; set; }
    /// <summary>The next micro-batch to read.</summary>
    public int Epoch { get; set; }
    public long BatchIndex { get; set; }
    /// <summary>AdamW's t; behind <see cref="Step"/> by the steps skipped for fp16 overflow or empty labels.</summary>
    public long OptimizerSteps { get; set; }
    public double LossScale { get; set; } = LossScaler.InitialScale;
    public int LossScaleCleanSteps { get; set; }
    public double? BestEvalLoss { get; set; }
    public long? BestStep { get; set; }
    public int EvaluationsWithoutImprovement { get; set; }
    public double LastLoss { get; set; } = double.NaN;
    public double ElapsedSeconds { get; set; }
    public long InputTokens { get; set; }

    public BatchPosition Position
    {
        get => new(Epoch, BatchIndex);
        set => (Epoch, BatchIndex) = (value.Epoch, value.Index);
    }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainerState FromJson(string json, string source)
    {
        try { return JsonSerializer.Deserialize<TrainerState>(json, Json) ?? throw new TrainingCheckpointException($"{source} must hold a JSON object."); }
        catch (JsonException e) { throw new TrainingCheckpointException($"{source} is not a trainer state: {e.Message}"); }
    }
}

public sealed class TrainingCheckpointException(string message) : Exception(message);
