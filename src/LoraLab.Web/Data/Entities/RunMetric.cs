namespace LoraLab.Web.Data.Entities;

public enum MetricKind { Train, Eval }

/// <summary>One point of a run's curves: a training step, or an evaluation at a step (which has no lr, grad norm or throughput).</summary>
public sealed class RunMetric
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public int Step { get; set; }
    public MetricKind Kind { get; set; }
    public double Loss { get; set; }
    public double? LearningRate { get; set; }
    public double? GradNorm { get; set; }
    public double? TokensPerSecond { get; set; }
    public double ElapsedSeconds { get; set; }
}
