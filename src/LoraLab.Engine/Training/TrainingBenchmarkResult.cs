using System.Text.Json;
using System.Text.Json.Serialization;
using static System.FormattableString;

namespace LoraLab.Engine.Training;

/// <summary>Training speed and memory of one method, shape and precision; serialised with snake_case names.</summary>
/// <param name="BaseBytesPerParameter">Bytes each base weight takes in memory (4 float32, 2 bf16).</param>
/// <param name="StepSeconds">Mean wall time of one optimizer step (forward, backward, clip, update).</param>
/// <param name="TokensPerSecond">Input tokens trained per second: batch × sequence / step time.</param>
/// <param name="ResidentAfterLoadBytes">Resident memory once the model is built and the method attached.</param>
/// <param name="PeakResidentBytes">The highest resident memory over the timed steps.</param>
/// <param name="Estimate">What <see cref="MemoryEstimator"/> predicts for this configuration, to set beside the peak.</param>
public sealed record TrainingBenchmarkResult(
    string Architecture, long Parameters, string Method, long TrainableParameters, string Precision, bool GradientCheckpointing,
    int Threads, int BatchSize, int SequenceLength, double BaseBytesPerParameter, int Steps, double StepSeconds, double TokensPerSecond,
    double FinalLoss, long ResidentAfterLoadBytes, long PeakResidentBytes, MemoryEstimate Estimate)
{
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The figures a person compares, one per line.</summary>
    public string ToText() => string.Join(Environment.NewLine,
        Invariant($"{Method} on {Architecture} ({Parameters / 1e6:F1}M base parameters, {BaseBytesPerParameter} bytes each), {Precision}, batch {BatchSize} × {SequenceLength}, gradient checkpointing {(GradientCheckpointing ? "on" : "off")}, {Threads} threads"),
        Invariant($"trainable parameters  {TrainableParameters:N0}"),
        Invariant($"step time             {StepSeconds:F2} s (mean of {Steps})"),
        Invariant($"throughput            {TokensPerSecond:F1} tokens/s"),
        Invariant($"peak memory           {Mib(PeakResidentBytes)} measured, {Mib(Estimate.Total)} estimated"),
        Invariant($"estimate breakdown    weights {Mib(Estimate.Weights)}, adapter {Mib(Estimate.Adapter)}, gradients {Mib(Estimate.Gradients)}, optimizer {Mib(Estimate.OptimizerState)}, activations {Mib(Estimate.Activations)}, allocator slack {Mib(Estimate.AllocatorSlack)}, runtime {Mib(Estimate.Runtime)}"));

    static string Mib(long bytes) => Invariant($"{bytes / 1048576.0:F0} MiB");
}
