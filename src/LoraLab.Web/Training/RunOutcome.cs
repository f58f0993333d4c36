namespace LoraLab.Web.Training;

/// <summary>A finished run's final metrics, stored on the run and beside its adapter; null where the run did not measure one.</summary>
public sealed record RunOutcome(double? TrainLoss, double? EvalLoss, double? Perplexity, double? TokensPerSecond);
